namespace ImpVpn.Bench;

internal interface IBenchmark
{
    string Name { get; }

    string Description { get; }

    /// <summary>Why it cannot run here (not root, tool missing), or null.</summary>
    string? CannotRunBecause();

    Task RunAsync(BenchReport report);
}
