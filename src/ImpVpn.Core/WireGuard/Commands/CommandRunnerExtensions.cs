using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Commands;

/// <summary>The form callers use when a failing tool must stop them: its exit code and stderr become the exception.</summary>
internal static class CommandRunnerExtensions
{
    /// <summary>Runs the command and throws <see cref="SystemCommandException"/> when it fails.</summary>
    public static async Task<string> RunCheckedAsync(
        this ICommandRunner runner, string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(file, arguments, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new SystemCommandException($"{file} {string.Join(' ', arguments)}", result.ExitCode, result.Error);
        }

        return result.Output;
    }
}
