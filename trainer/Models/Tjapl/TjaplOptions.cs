namespace CrossDomain.Trainer.Models.Tjapl;

/// <summary>
/// TJAPL's switches (<c>model_params</c>): its two cross-domain modules, each of which can be left out for the
/// ablations its paper's design implies (target-domain APL alone is SASRec with TJAPL's item table).
/// </summary>
public sealed record TjaplOptions : IModelOptions
{
    /// <summary><c>user_apl</c>: cross-domain user APL, the target state attending over the source-domain states that precede the predicted item.</summary>
    public bool UserApl { get; init; } = true;
    /// <summary><c>local_apl</c>: cross-domain local APL, the merged (both domains) sequence's state just before the predicted item.</summary>
    public bool LocalApl { get; init; } = true;

    public IEnumerable<(string Key, string Message)> Validate() => [];
}
