namespace ImpVpn.Core.WireGuard.Links.Linux;

/// <summary>
/// Where Linux commands run: the caller's own network namespace (the normal case, also when a whole pwsh was
/// started with `ip netns exec`), or a named namespace, for tests and for hosts that keep tunnels apart.
/// </summary>
public sealed record LinuxNetworkContext(string? Namespace = null)
{
    public static readonly LinuxNetworkContext Current = new();

    /// <summary>The command line for <paramref name="file"/> run in this context.</summary>
    internal (string File, IReadOnlyList<string> Arguments) Wrap(string file, params string[] arguments) =>
        Namespace is null
            ? (file, arguments)
            : ("ip", ["netns", "exec", Namespace, file, .. arguments]);
}
