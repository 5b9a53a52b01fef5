using System.Text;
using CrossDomain.Stages.Ingest;

namespace CrossDomain.Tests.Data;

public class Utf8InternerTests
{
    [Fact]
    public void Same_bytes_same_id_across_growth_for_short_long_and_prefix_sharing_keys()
    {
        var interner = new Utf8Interner();
        // Keys that share their first 16 bytes, differ only in length, or are empty-padded look-alikes.
        var keys = Enumerable.Range(0, 20000).Select(i => i % 3 == 0 ? $"A{i}" : i % 3 == 1 ? $"SAME-FIRST-16-BYTES-{i}" : $"B0{i:X8}")
            .Concat(["x", "x\0", "x\0\0", "SAME-FIRST-16-BY", "SAME-FIRST-16-BYT"]).ToList();
        var ids = keys.Select(k => interner.Intern(Encoding.UTF8.GetBytes(k))).ToList();
        Assert.Equal(Enumerable.Range(0, keys.Count), ids); // all distinct, dense, in order
        for (int i = 0; i < keys.Count; i += 7) Assert.Equal(i, interner.Intern(Encoding.UTF8.GetBytes(keys[i])));
        Assert.Equal(keys, interner.ToStrings());
        Assert.Throws<DecoderFallbackException>(() => interner.Intern([0x41, 0xFF]));
    }
}
