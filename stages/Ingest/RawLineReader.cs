using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using CrossDomain.Engine.Stages;

namespace CrossDomain.Stages.Ingest;

/// <summary>
/// Streams the lines of a plain or gzip file (gzip recognised by its magic bytes, not its name) as byte spans,
/// with 1-based line numbers, never holding more than one buffer of the file in memory.
/// </summary>
public sealed class RawLineReader : IDisposable
{
    private readonly string _path;
    private readonly FileStream _file;
    private readonly Stream _stream;
    private byte[] _buffer = new byte[1 << 20];
    private int _start, _end;
    private bool _eof;
    private readonly Crc32? _crc;
    private long _decompressed;

    public long LineNumber { get; private set; }
    public bool IsGzip { get; }
    /// <summary>Bytes of the underlying file consumed so far (for progress).</summary>
    public long CompressedPosition => _file.Position;
    public long CompressedLength => _file.Length;

    public RawLineReader(string path)
    {
        _path = path;
        try { _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StageException($"{path}: cannot open ({e.Message})", e);
        }
        Span<byte> magic = stackalloc byte[2];
        var n = _file.Read(magic);
        _file.Position = 0;
        IsGzip = n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        _stream = IsGzip ? new GZipStream(_file, CompressionMode.Decompress) : _file;
        if (IsGzip) _crc = new Crc32();
    }

    /// <summary>Next line without its line terminator; false at end of file.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            var nl = available.IndexOf((byte)'\n');
            if (nl >= 0)
            {
                line = TrimCr(available[..nl]);
                _start += nl + 1;
                LineNumber++;
                return true;
            }
            if (_eof)
            {
                if (_end > _start)
                {
                    line = TrimCr(available);
                    _start = _end;
                    LineNumber++;
                    return true;
                }
                line = default;
                return false;
            }
            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2); // a line longer than the buffer
        int read;
        try { read = _stream.Read(_buffer, _end, _buffer.Length - _end); }
        catch (InvalidDataException e)
        {
            throw new StageException($"{_path}: corrupt gzip data after line {LineNumber} ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw new StageException($"{_path}: read failed after line {LineNumber} ({e.Message})", e);
        }
        if (read > 0 && _crc is not null)
        {
            _crc.Append(_buffer.AsSpan(_end, read));
            _decompressed += read;
        }
        if (read == 0)
        {
            _eof = true;
            if (IsGzip && !GzipEndedCleanly())
                throw new StageException($"{_path}: truncated gzip file (ends inside compressed data after line {LineNumber}); re-download it");
        }
        _end += read;
    }

    // .NET's GZipStream reports a clean end of stream when the compressed data simply stops, so the gzip trailer
    // (CRC-32 and length of the uncompressed data, the file's last 8 bytes) is checked against what was read.
    // Concatenated multi-member gzip files would fail this check; Amazon's dumps are single-member.
    private bool GzipEndedCleanly()
    {
        if (_file.Length < 18) return false;
        Span<byte> trailer = stackalloc byte[8];
        using var raw = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        raw.Position = raw.Length - 8;
        raw.ReadExactly(trailer);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        return crc == _crc!.GetCurrentHashAsUInt32() && size == (uint)_decompressed;
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> s) => s.Length > 0 && s[^1] == (byte)'\r' ? s[..^1] : s;

    public void Dispose()
    {
        _stream.Dispose();
        _file.Dispose();
    }
}
