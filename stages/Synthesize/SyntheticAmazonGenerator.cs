using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace CrossDomain.Stages.Synthesize;

/// <summary>
/// Writes a small Amazon-like raw dataset in the 2014 formats (reviews as strict JSON lines, metadata as Python
/// literals, both gzip) for two domains, Food and Kitchen. Users draw a sparse preference over latent themes
/// shared by both domains; each interaction keeps the theme of the user's previous interaction in either domain
/// (with theme_persistence: short-term interest, which sequence models and cross-domain attention can use), or
/// else picks one from the preference (or, with 1 - preference_strength, at random), and then an item of that
/// theme by Zipf popularity (popularity_skew). Activity per user is log-normal and correlated
/// across domains; timestamps have day resolution, so many share a day. A few malformed and duplicate lines
/// are planted on purpose. Everything derives from the seed.
/// </summary>
public sealed class SyntheticAmazonGenerator(SynthesizeParams p)
{
    public static readonly string[] DomainNames = ["Food", "Kitchen"];
    public static string ReviewsFile(string domain) => $"reviews_Synthetic_{domain}.json.gz";
    public static string MetaFile(string domain) => $"meta_Synthetic_{domain}.json.gz";

    public sealed record Summary(long Interactions, int Users, int Items);

    public Summary Write(string directory, Action<double>? progress = null, CancellationToken ct = default)
    {
        Directory.CreateDirectory(directory);
        var rng = new Random(p.Seed);
        var themes = Vocabulary.Themes[..p.Themes];
        var items = new ItemSpec[2][];
        for (int d = 0; d < 2; d++) items[d] = MakeItems(d, themes, rng);
        // Per theme and domain: cumulative Zipf weights over that theme's items.
        var byTheme = new int[2][][];
        var cumulative = new double[2][][];
        for (int d = 0; d < 2; d++)
        {
            byTheme[d] = new int[themes.Length][];
            cumulative[d] = new double[themes.Length][];
            for (int t = 0; t < themes.Length; t++)
            {
                byTheme[d][t] = Enumerable.Range(0, items[d].Length).Where(i => items[d][i].Theme == t).ToArray();
                var c = new double[byTheme[d][t].Length];
                double sum = 0;
                for (int r = 0; r < c.Length; r++) { sum += 1.0 / Math.Pow(r + 1, p.PopularitySkew); c[r] = sum; }
                cumulative[d][t] = c;
            }
        }

        var start = DateOnly.ParseExact(p.StartDate, "yyyy-MM-dd", CultureInfo.InvariantCulture).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var writers = DomainNames.Select(n => new LineFile(Path.Combine(directory, ReviewsFile(n)))).ToArray();
        var sigma = 0.8;
        var mu = Math.Log(p.MedianInteractionsPerDomain);
        long total = 0;
        var planted = new List<string>[2] { [], [] };
        var malformedWritten = new bool[2];
        for (int u = 0; u < p.Users; u++)
        {
            if ((u & 1023) == 0) { ct.ThrowIfCancellationRequested(); progress?.Invoke((double)u / p.Users); }
            var userId = "A" + Id(rng, 13);
            var pref = Dirichlet(rng, themes.Length, p.PreferenceConcentration);
            var activity = Normal(rng);
            var counts = new int[2];
            for (int d = 0; d < 2; d++)
                counts[d] = Math.Max(1, (int)Math.Round(Math.Exp(mu + sigma * (0.7 * activity + 0.3 * Normal(rng)))));
            // Interleave both domains on one timeline with day resolution.
            var domains = Enumerable.Repeat(0, counts[0]).Concat(Enumerable.Repeat(1, counts[1])).OrderBy(_ => rng.Next()).ToArray();
            var day = rng.Next(0, Math.Max(1, p.Days - 10 * domains.Length));
            var previousTheme = -1;
            foreach (var d in domains)
            {
                day += rng.NextDouble() < 0.3 ? 0 : 1 + (int)(-Math.Log(1 - rng.NextDouble()) * 12);
                var theme = previousTheme >= 0 && rng.NextDouble() < p.ThemePersistence ? previousTheme
                    : rng.NextDouble() < p.PreferenceStrength ? Sample(rng, pref) : rng.Next(themes.Length);
                previousTheme = theme;
                var pool = byTheme[d][theme];
                if (pool.Length == 0) continue;
                var item = items[d][pool[SampleCumulative(rng, cumulative[d][theme])]];
                var when = start.AddDays(Math.Min(day, p.Days - 1));
                var rating = rng.NextDouble() < 0.7 ? 5 : rng.Next(1, 5);
                var line = ReviewLine(userId, item.Asin, rating, when, rng);
                writers[d].WriteLine(line);
                if (planted[d].Count < p.DuplicateLinesPerFile && rng.NextDouble() < 0.01) { writers[d].WriteLine(line); planted[d].Add(line); }
                if (u == p.Users / 2 && !malformedWritten[d])
                {
                    for (int m = 0; m < p.MalformedLinesPerFile; m++) writers[d].WriteLine(Malformed(m, line));
                    malformedWritten[d] = true;
                }
                total++;
            }
        }
        foreach (var w in writers) w.Dispose();
        for (int d = 0; d < 2; d++) WriteMeta(Path.Combine(directory, MetaFile(DomainNames[d])), items[d], themes, d, rng);
        progress?.Invoke(1);
        return new Summary(total, p.Users, items[0].Length + items[1].Length);
    }

    private sealed record ItemSpec(string Asin, int Theme, string? Title, string Brand, string Sub, double Price);

    private ItemSpec[] MakeItems(int domain, Vocabulary.Theme[] themes, Random rng)
    {
        var list = new ItemSpec[p.ItemsPerDomain];
        for (int i = 0; i < list.Length; i++)
        {
            var t = rng.Next(themes.Length);
            var theme = themes[t];
            var nouns = domain == 0 ? theme.Foods : theme.Kitchenware;
            var noun = nouns[rng.Next(nouns.Length)];
            var brand = Vocabulary.Brands[rng.Next(Vocabulary.Brands.Length)];
            var adjective = theme.Adjectives[rng.Next(theme.Adjectives.Length)];
            var size = domain == 0 ? $"{rng.Next(4, 33)} oz" : $"{rng.Next(6, 15)}\"";
            // About one title in twenty is missing, as in the real metadata.
            string? title = rng.NextDouble() < 0.05 ? null : $"{brand} {adjective} {noun}, {size}";
            list[i] = new ItemSpec((domain == 0 ? "B0F" : "B0K") + Id(rng, 7), t, title, brand, noun, Math.Round(2 + rng.NextDouble() * (domain == 0 ? 30 : 120), 2));
        }
        return list;
    }

    private void WriteMeta(string path, ItemSpec[] items, Vocabulary.Theme[] themes, int domain, Random rng)
    {
        using var w = new LineFile(path);
        var duplicates = 0;
        var top = domain == 0 ? "Grocery & Gourmet Food" : "Home & Kitchen";
        foreach (var it in items)
        {
            var theme = themes[it.Theme];
            var sb = new StringBuilder("{");
            sb.Append("'asin': ").Append(PyRepr(it.Asin));
            if (it.Title is not null) sb.Append(", 'title': ").Append(PyRepr(it.Title));
            sb.Append(", 'price': ").Append(it.Price.ToString("0.00", CultureInfo.InvariantCulture));
            sb.Append(", 'brand': ").Append(PyRepr(it.Brand));
            sb.Append(", 'categories': [[").Append(PyRepr(top)).Append(", ").Append(PyRepr(domain == 0 ? theme.FoodCategory : theme.KitchenCategory))
              .Append(", ").Append(PyRepr(it.Sub)).Append("]]");
            sb.Append(", 'salesRank': {").Append(PyRepr(top)).Append(": ").Append(rng.Next(1000, 900000)).Append('}');
            sb.Append('}');
            var line = sb.ToString();
            w.WriteLine(line);
            if (duplicates < p.DuplicateLinesPerFile && rng.NextDouble() < 0.02) { w.WriteLine(line); duplicates++; }
        }
        for (int m = 0; m < Math.Min(p.MalformedLinesPerFile, 1); m++) w.WriteLine("{'asin': 'B0BROKEN', 'title': 'unterminated");
    }

    private static string ReviewLine(string user, string asin, int rating, DateTime when, Random rng)
    {
        var unix = new DateTimeOffset(when).ToUnixTimeSeconds();
        var words = Vocabulary.ReviewWords[rng.Next(Vocabulary.ReviewWords.Length)];
        return $"{{\"reviewerID\": \"{user}\", \"asin\": \"{asin}\", \"helpful\": [0, 0], \"reviewText\": \"{char.ToUpperInvariant(words[0])}{words[1..]}.\", " +
               $"\"overall\": {rating}.0, \"summary\": \"{words}\", \"unixReviewTime\": {unix}, \"reviewTime\": \"{when:MM dd, yyyy}\"}}";
    }

    private static string Malformed(int which, string line) => which % 2 == 0 ? line[..(line.Length / 2)] : "<html>503 Service Unavailable</html>";

    /// <summary>Python 2/3 repr() of a str: single quotes unless the text has ' and no ".</summary>
    public static string PyRepr(string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder().Append(quote);
        foreach (var c in s)
        {
            if (c == '\\') sb.Append("\\\\");
            else if (c == quote) sb.Append('\\').Append(c);
            else if (c == '\n') sb.Append("\\n");
            else sb.Append(c);
        }
        return sb.Append(quote).ToString();
    }

    private static string Id(Random rng, int length)
    {
        const string chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        return string.Create(length, rng, (span, r) => { for (int i = 0; i < span.Length; i++) span[i] = chars[r.Next(chars.Length)]; });
    }

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static double[] Dirichlet(Random rng, int k, double alpha)
    {
        var x = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) { x[i] = Gamma(rng, alpha); sum += x[i]; }
        for (int i = 0; i < k; i++) x[i] /= sum;
        return x;
    }

    // Marsaglia-Tsang, with the alpha < 1 boost.
    private static double Gamma(Random rng, double alpha)
    {
        if (alpha < 1) return Gamma(rng, alpha + 1) * Math.Pow(1 - rng.NextDouble(), 1 / alpha);
        var d = alpha - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do { x = Normal(rng); v = 1 + c * x; } while (v <= 0);
            v = v * v * v;
            var u = 1 - rng.NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v)) return d * v;
        }
    }

    private static int Sample(Random rng, double[] probabilities)
    {
        var r = rng.NextDouble();
        for (int i = 0; i < probabilities.Length; i++) { r -= probabilities[i]; if (r <= 0) return i; }
        return probabilities.Length - 1;
    }

    private static int SampleCumulative(Random rng, double[] cumulative)
    {
        var r = rng.NextDouble() * cumulative[^1];
        var i = Array.BinarySearch(cumulative, r);
        return Math.Min(i < 0 ? ~i : i, cumulative.Length - 1);
    }

    /// <summary>A gzip text file written line by line.</summary>
    private sealed class LineFile : IDisposable
    {
        private readonly StreamWriter _writer;
        public LineFile(string path) =>
            _writer = new StreamWriter(new GZipStream(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16), CompressionLevel.Fastest),
                new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        public void WriteLine(string line) => _writer.WriteLine(line);
        public void Dispose() => _writer.Dispose();
    }
}
