using System.IO.Hashing;
using System.Text;

namespace CrossDomain.Stages.Ingest;

/// <summary>
/// Maps UTF-8 ids (user or item) to dense ints without decoding them to strings on the hot path: keys live in one
/// byte arena, an open-addressing table holds their ids. Strings are built once per distinct id, at the end.
/// </summary>
public sealed class Utf8Interner
{
    private byte[] _arena = new byte[1 << 16];
    private int _arenaUsed;
    private int[] _offsets = new int[1024];
    private int[] _lengths = new int[1024];
    // Slot = (high 32 bits of the hash) << 32 | (id + 1); 0 = empty. The tag rejects almost every non-match
    // without touching the arena.
    private ulong[] _table = new ulong[2048];
    private ulong[] _hashes = new ulong[1024];

    public int Count { get; private set; }

    /// <summary>Returns the id of <paramref name="key"/>, adding it if new. Throws on invalid UTF-8.</summary>
    public int Intern(ReadOnlySpan<byte> key)
    {
        var hash = XxHash3.HashToUInt64(key);
        var mask = _table.Length - 1;
        var slot = (int)(hash & (ulong)mask);
        var tag = hash >> 32;
        while (true)
        {
            var entry = _table[slot];
            if (entry == 0) break;
            if (entry >> 32 == tag)
            {
                var id = (int)(uint)entry - 1;
                if (_arena.AsSpan(_offsets[id], _lengths[id]).SequenceEqual(key)) return id;
            }
            slot = (slot + 1) & mask;
        }
        if (!System.Text.Unicode.Utf8.IsValid(key)) throw new DecoderFallbackException("invalid UTF-8 in id");
        var newId = Count++;
        if (newId == _offsets.Length)
        {
            Array.Resize(ref _offsets, newId * 2);
            Array.Resize(ref _lengths, newId * 2);
            Array.Resize(ref _hashes, newId * 2);
        }
        if (_arenaUsed + key.Length > _arena.Length) Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaUsed + key.Length));
        key.CopyTo(_arena.AsSpan(_arenaUsed));
        _offsets[newId] = _arenaUsed;
        _lengths[newId] = key.Length;
        _hashes[newId] = hash;
        _arenaUsed += key.Length;
        _table[slot] = (tag << 32) | (uint)(newId + 1);
        if (Count * 2 > _table.Length) Grow();
        return newId;
    }

    private void Grow()
    {
        var table = new ulong[_table.Length * 2];
        var mask = table.Length - 1;
        for (int id = 0; id < Count; id++)
        {
            var slot = (int)(_hashes[id] & (ulong)mask);
            while (table[slot] != 0) slot = (slot + 1) & mask;
            table[slot] = ((_hashes[id] >> 32) << 32) | (uint)(id + 1);
        }
        _table = table;
    }

    public string[] ToStrings()
    {
        var result = new string[Count];
        for (int id = 0; id < Count; id++) result[id] = Encoding.UTF8.GetString(_arena, _offsets[id], _lengths[id]);
        return result;
    }
}
