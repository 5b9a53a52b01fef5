namespace CrossDomain.Trainer.Models.PiNet;

/// <summary>π-Net's switches (<c>model_params</c>), from mamuyang/PINet's PiNet.py.</summary>
public sealed record PiNetOptions : IModelOptions
{
    /// <summary><c>members</c>: latent account members of the shared account filter (num_members 4).</summary>
    public int Members { get; init; } = 4;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (Members < 1) yield return ("members", "must be >= 1");
    }
}
