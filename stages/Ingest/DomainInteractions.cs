namespace CrossDomain.Stages.Ingest;

/// <summary>
/// The interactions of one domain in compact columns (user and item as dense local ids), with exact duplicates
/// (same user, item, timestamp and rating) dropped as they arrive. Memory is the distinct ids plus about
/// 20 bytes per kept interaction and 27 per duplicate-check slot, never the text of the file.
/// </summary>
public sealed class DomainInteractions(string domain)
{
    public string Domain => domain;
    private readonly Utf8Interner _users = new(), _items = new();
    private string[]? _userNames, _itemNames;

    public int[] User = new int[1024];
    public int[] Item = new int[1024];
    public long[] Timestamp = new long[1024];
    public float[] Rating = new float[1024];
    public int Count;
    public long Duplicates;

    private readonly UInt128Set _seen = new();
    private readonly HashSet<(int, int, long, uint)> _seenWide = [];

    public IReadOnlyList<string> UserNames => _userNames ?? throw new InvalidOperationException("call Seal() first");
    public IReadOnlyList<string> ItemNames => _itemNames ?? throw new InvalidOperationException("call Seal() first");

    /// <summary>Adds one interaction; false when it exactly duplicates one already seen. Throws on invalid UTF-8.</summary>
    public bool Add(ReadOnlySpan<byte> user, ReadOnlySpan<byte> item, long timestamp, float rating)
    {
        var u = _users.Intern(user);
        var i = _items.Intern(item);
        var ratingBits = BitConverter.SingleToUInt32Bits(float.IsNaN(rating) ? float.NaN : rating);
        // user + 1 keeps the key away from the reserved all-zero value.
        bool fresh = timestamp is >= 0 and <= uint.MaxValue
            ? _seen.Add(((ulong)(uint)(u + 1) << 32) | (uint)i, ((ulong)timestamp << 32) | ratingBits)
            : _seenWide.Add((u, i, timestamp, ratingBits));
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

    /// <summary>Frees the duplicate-check sets and builds the id strings once the domain's files are read.</summary>
    public void Seal()
    {
        _seen.Clear();
        _seenWide.Clear();
        _userNames = _users.ToStrings();
        _itemNames = _items.ToStrings();
    }
}
