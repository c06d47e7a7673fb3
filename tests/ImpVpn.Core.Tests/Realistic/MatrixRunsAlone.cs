namespace ImpVpn.Core.Tests.Realistic;

/// <summary>The matrix runs alone, after the suite's parallel classes: its four lanes keep both cores busy, and its
/// times (reported, never asserted) should say what the simulated network did, not what the other tests did.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MatrixRunsAlone
{
    public const string Name = "Purchase matrix";
}
