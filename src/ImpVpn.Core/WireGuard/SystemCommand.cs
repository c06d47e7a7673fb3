using System.Diagnostics;

namespace ImpVpn.Core.WireGuard;

/// <summary>Result of one system command.</summary>
internal sealed record CommandResult(int ExitCode, string Output, string Error);

/// <summary>Runs the system tools WireGuard setup needs (ip, wg, wireguard-go, wireguard.exe).
/// An interface so the Windows backend and error paths are tested on what they would run.</summary>
internal interface ICommandRunner
{
    Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}

internal sealed class ProcessCommandRunner : ICommandRunner
{
    public static readonly ProcessCommandRunner Instance = new();

    public async Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        // A bare name runs from where the prerequisite check found it (PATH, then the sbin folders); on Windows,
        // and for a name it cannot place, Process resolves it as usual and reports what is missing.
        var start = new ProcessStartInfo(SystemCommandLocator.Find(file) ?? file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };

        // wireguard-go daemonizes; with LOG_LEVEL set its daemon keeps our stdout/stderr pipes open forever
        // and the read below would never end. Without it the daemon writes to /dev/null.
        start.Environment.Remove("LOG_LEVEL");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SystemCommandException(file, -1, $"cannot start it: {e.Message}");
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return new CommandResult(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }
}

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
