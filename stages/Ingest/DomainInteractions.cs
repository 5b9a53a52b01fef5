namespace CrossDomain.Stages.Ingest;

/// <summary>
/// The interactions of one domain in compact columns (user and item as dense local ids). Exact duplicates
/// (same user, item, timestamp and rating) are found once the domain is read: rows are grouped by user with a
/// stable counting sort and compared within each user, which touches memory sequentially instead of probing a
/// table of every interaction. The first occurrence in file order is kept. Memory is the distinct ids plus
/// about 20 bytes per interaction (and 9 more while duplicates are checked), never the text of the file.
/// </summary>
public sealed class DomainInteractions(string domain)
{
    public string Domain => domain;
    private readonly Utf8Interner _users = new(), _items = new();
    private string[]? _userNames, _itemNames;
    private readonly List<int> _fileStarts = [];

    public int[] User = new int[1024];
    public int[] Item = new int[1024];
    public long[] Timestamp = new long[1024];
    public float[] Rating = new float[1024];
    public int Count;
    public long Duplicates;
    /// <summary>Duplicates found per file, in the order files were started.</summary>
    public long[] DuplicatesPerFile { get; private set; } = [];

    public IReadOnlyList<string> UserNames => _userNames ?? throw new InvalidOperationException("call Seal() first");
    public IReadOnlyList<string> ItemNames => _itemNames ?? throw new InvalidOperationException("call Seal() first");

    /// <summary>Marks where the rows of the next file begin (for per-file duplicate counts).</summary>
    public void StartFile() => _fileStarts.Add(Count);

    /// <summary>Adds one interaction. Throws on invalid UTF-8 in an id.</summary>
    public void Add(ReadOnlySpan<byte> user, ReadOnlySpan<byte> item, long timestamp, float rating)
    {
        var u = _users.Intern(user);
        var i = _items.Intern(item);
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
    }

    /// <summary>Removes exact duplicates (keeping file order) and builds the id strings.</summary>
    public void Seal()
    {
        var duplicate = FindDuplicates();
        DuplicatesPerFile = new long[Math.Max(1, _fileStarts.Count)];
        var write = 0;
        for (int r = 0; r < Count; r++)
        {
            if (duplicate[r])
            {
                var file = _fileStarts.Count == 0 ? 0 : _fileStarts.FindLastIndex(s => s <= r);
                DuplicatesPerFile[Math.Max(0, file)]++;
                continue;
            }
            User[write] = User[r];
            Item[write] = Item[r];
            Timestamp[write] = Timestamp[r];
            Rating[write] = Rating[r];
            write++;
        }
        Duplicates = Count - write;
        Count = write;
        _userNames = _users.ToStrings();
        _itemNames = _items.ToStrings();
    }

    private bool[] FindDuplicates()
    {
        var users = _users.Count;
        var offsets = new int[users + 1];
        for (int r = 0; r < Count; r++) offsets[User[r] + 1]++;
        for (int u = 0; u < users; u++) offsets[u + 1] += offsets[u];
        var rows = new int[Count];
        var fill = offsets[..^1];
        for (int r = 0; r < Count; r++) rows[fill[User[r]]++] = r; // stable: file order within a user
        var duplicate = new bool[Count];
        for (int u = 0; u < users; u++)
        {
            var group = rows.AsSpan(offsets[u], offsets[u + 1] - offsets[u]);
            if (group.Length < 2) continue;
            if (group.Length <= 48)
            {
                for (int a = 1; a < group.Length; a++)
                    for (int b = 0; b < a; b++)
                        if (!duplicate[group[b]] && Same(group[a], group[b])) { duplicate[group[a]] = true; break; }
                continue;
            }
            // Heavy users: sort by (item, timestamp, rating, row) and mark every later copy of a run.
            group.Sort((x, y) =>
            {
                var c = Item[x].CompareTo(Item[y]);
                if (c == 0) c = Timestamp[x].CompareTo(Timestamp[y]);
                if (c == 0) c = RatingBits(x).CompareTo(RatingBits(y));
                return c != 0 ? c : x.CompareTo(y);
            });
            for (int k = 1; k < group.Length; k++)
                if (Same(group[k], group[k - 1])) duplicate[group[k]] = true;
        }
        return duplicate;
    }

    private bool Same(int x, int y) => Item[x] == Item[y] && Timestamp[x] == Timestamp[y] && RatingBits(x) == RatingBits(y);

    // NaN (no rating) equals NaN here: two lines without a rating are the same record.
    private uint RatingBits(int r) => BitConverter.SingleToUInt32Bits(float.IsNaN(Rating[r]) ? float.NaN : Rating[r]);
}
