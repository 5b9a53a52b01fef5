using TorchSharp;

namespace CrossDomain.Trainer.Training;

/// <summary>Resolves <c>device: auto|cpu|cuda</c>; asking for cuda where there is none is an error, not a silent fallback.</summary>
public static class DeviceSelector
{
    public static torch.Device Resolve(string setting, out string description)
    {
        Torch.TorchNativeLoader.EnsureLoaded();
        var cuda = torch.cuda.is_available();
        switch (setting)
        {
            case "cpu":
                description = "cpu (configured)";
                return torch.CPU;
            case "cuda" when !cuda:
                throw new InvalidOperationException("device: cuda was asked for, but no CUDA device is available " +
                    "(this build references libtorch CPU; build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU)");
            case "cuda":
                description = "cuda (configured)";
                return torch.CUDA;
            default:
                description = cuda ? "cuda (auto: a CUDA device is available)" : "cpu (auto: no CUDA device)";
                return cuda ? torch.CUDA : torch.CPU;
        }
    }
}
