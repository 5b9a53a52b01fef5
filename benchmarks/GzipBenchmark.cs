using System.Diagnostics;
using System.IO.Compression;

namespace CrossDomain.Benchmarks;

/// <summary>
/// The ingest stage's gzip decoder against SharpZipLib's GZipInputStream (which checks the trailer itself and reads
/// multi-member files) on one file: lines per second of decompression alone, three repeats, no parsing.
/// </summary>
public static class GzipBenchmark
{
    public static void Run(string path, int repeats)
    {
        Console.WriteLine($"{path}: {new FileInfo(path).Length / 1e6:F1} MB gzip");
        for (int r = 0; r < repeats; r++)
        {
            var (lines, system) = Time(() => new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
            var (_, sharp) = Time(() => new ICSharpCode.SharpZipLib.GZip.GZipInputStream(File.OpenRead(path)));
            Console.WriteLine($"{lines:N0} lines: System.IO.Compression {system:F2} s ({lines / system / 1e6:F2} M lines/s), " +
                              $"SharpZipLib {sharp:F2} s ({lines / sharp / 1e6:F2} M lines/s)");
        }
    }

    private static (long Lines, double Seconds) Time(Func<Stream> open)
    {
        var clock = Stopwatch.StartNew();
        using var stream = open();
        var buffer = new byte[1 << 20];
        long lines = 0;
        for (int read; (read = stream.Read(buffer)) > 0;) lines += buffer.AsSpan(0, read).Count((byte)'\n');
        return (lines, clock.Elapsed.TotalSeconds);
    }
}
