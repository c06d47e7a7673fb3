using ImpVpn.Core.WireGuard.Commands;

namespace ImpVpn.Core.WireGuard.Links.Linux;

/// <summary>Runs every command inside a <see cref="LinuxNetworkContext"/>, so code shared with other platforms
/// (wg commands) need not know about network namespaces.</summary>
internal sealed class NamespacedCommandRunner(ICommandRunner inner, LinuxNetworkContext context) : ICommandRunner
{
    public Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var (wrappedFile, wrappedArguments) = context.Wrap(file, [.. arguments]);
        return inner.RunAsync(wrappedFile, wrappedArguments, cancellationToken);
    }

    public Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, string standardInput, CancellationToken cancellationToken)
    {
        var (wrappedFile, wrappedArguments) = context.Wrap(file, [.. arguments]);
        return inner.RunAsync(wrappedFile, wrappedArguments, standardInput, cancellationToken);
    }
}
