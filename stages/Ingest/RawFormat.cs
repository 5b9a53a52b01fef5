namespace CrossDomain.Stages.Ingest;

/// <summary>The released Amazon review dump formats (McAuley et al. 2014, Ni et al. 2018, Hou et al. 2023).</summary>
public enum RawFormat
{
    Unknown,
    /// <summary>2014 reviews: strict JSON lines with reviewerID, asin, unixReviewTime, overall.</summary>
    Reviews2014,
    /// <summary>2014 ratings only: CSV user,item,rating,timestamp without header.</summary>
    Ratings2014Csv,
    /// <summary>2014 metadata: Python dict literals (single quotes, True/False).</summary>
    Meta2014,
    /// <summary>2018 reviews: strict JSON, as 2014 plus verified, vote, style, image.</summary>
    Reviews2018,
    /// <summary>2018 metadata: strict JSON with a flat category list.</summary>
    Meta2018,
    /// <summary>2023 reviews: JSONL with user_id, parent_asin, timestamp in milliseconds.</summary>
    Reviews2023,
    /// <summary>2023 metadata: JSONL keyed by parent_asin.</summary>
    Meta2023,
}

public static class RawFormatExtensions
{
    public static bool IsInteractions(this RawFormat f) => f is RawFormat.Reviews2014 or RawFormat.Reviews2018 or RawFormat.Reviews2023 or RawFormat.Ratings2014Csv;
    public static bool IsMetadata(this RawFormat f) => f is RawFormat.Meta2014 or RawFormat.Meta2018 or RawFormat.Meta2023;
}
