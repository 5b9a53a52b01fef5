using TorchSharp;

namespace CrossDomain.Trainer.Models;

/// <summary>
/// A model that can show the item representations it scores with (one row per item index, row 0 the padding), for
/// inspection and figures such as SemaCDR's Figure 3. Callers ask for the capability, not for a model type.
/// </summary>
public interface IItemRepresentations
{
    torch.Tensor ItemRepresentations(torch.Device device);
}
