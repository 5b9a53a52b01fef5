namespace CrossDomain.Tests.Trainer;

/// <summary>
/// Tests that use TorchSharp run one at a time and never beside another test class: libtorch's random generator is
/// process-wide, and the determinism, resume and leakage tests compare runs bit for bit.
/// </summary>
[CollectionDefinition("torch", DisableParallelization = true)]
public sealed class TorchCollection;
