using System.Text;

namespace CrossDomain.Stages.Ingest;

/// <summary>
/// The interactions of one domain in compact columns (user and item as dense local ids), with exact duplicates
/// (same user, item, timestamp and rating) dropped as they arrive. Memory is the id dictionaries plus about
/// 20 bytes per kept interaction and 28 per duplicate-check entry, never the text of the file.
/// </summary>
public sealed class DomainInteractions
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    public string Domain { get; }
    public Dictionary<string, int> Users { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, int> Items { get; } = new(StringComparer.Ordinal);
    public List<string> UserNames { get; } = [];
    public List<string> ItemNames { get; } = [];
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _users, _items;

    public int[] User = new int[1024];
    public int[] Item = new int[1024];
    public long[] Timestamp = new long[1024];
    public float[] Rating = new float[1024];
    public int Count;
    public long Duplicates;

    private readonly HashSet<UInt128> _seen = [];
    private readonly HashSet<(int, int, long, float)> _seenWide = [];

    public DomainInteractions(string domain)
    {
        Domain = domain;
        _users = Users.GetAlternateLookup<ReadOnlySpan<char>>();
        _items = Items.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Adds one interaction; false when it exactly duplicates one already seen. Throws on invalid UTF-8.</summary>
    public bool Add(ReadOnlySpan<byte> user, ReadOnlySpan<byte> item, long timestamp, float rating)
    {
        var u = Intern(user, _users, UserNames);
        var i = Intern(item, _items, ItemNames);
        var ratingBits = BitConverter.SingleToUInt32Bits(float.IsNaN(rating) ? float.NaN : rating);
        bool fresh = timestamp is >= 0 and <= uint.MaxValue
            ? _seen.Add(new UInt128(((ulong)(uint)u << 32) | (uint)i, ((ulong)timestamp << 32) | ratingBits))
            : _seenWide.Add((u, i, timestamp, rating));
        if (!fresh) { Duplicates++; return false; }
        if (Count == User.Length)
        {
            var n = Count * 2;
            Array.Resize(ref User, n);
            Array.Resize(ref Item, n);
            Array.Resize(ref Timestamp, n);
            Array.Resize(ref Rating, n);
        }
        User[Count] = u;
        Item[Count] = i;
        Timestamp[Count] = timestamp;
        Rating[Count] = rating;
        Count++;
        return true;
    }

    /// <summary>Frees the duplicate-check sets once the domain's files are read.</summary>
    public void Seal()
    {
        _seen.Clear();
        _seen.TrimExcess();
        _seenWide.Clear();
    }

    private static int Intern(ReadOnlySpan<byte> utf8, Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup, List<string> names)
    {
        Span<char> chars = utf8.Length <= 256 ? stackalloc char[utf8.Length] : new char[utf8.Length];
        var n = StrictUtf8.GetChars(utf8, chars);
        var key = chars[..n];
        if (lookup.TryGetValue(key, out var id)) return id;
        id = names.Count;
        var s = key.ToString();
        lookup.Dictionary.Add(s, id);
        names.Add(s);
        return id;
    }
}
