using System.Diagnostics;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Commands;

/// <summary>Runs commands as child processes, from where <see cref="SystemCommandLocator"/> finds them.</summary>
internal sealed class ProcessCommandRunner : ICommandRunner
{
    public static readonly ProcessCommandRunner Instance = new();

    public Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        RunAsync(file, arguments, string.Empty, cancellationToken);

    public async Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, string standardInput, CancellationToken cancellationToken)
    {
        // A bare name runs from where the prerequisite check found it (PATH, then the sbin folders); on Windows,
        // and for a name it cannot place, Process resolves it as usual and reports what is missing.
        var start = new ProcessStartInfo(SystemCommandLocator.Find(file) ?? file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardInputEncoding = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
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

        // Output is read while the input is written: a tool that answers as it reads must not block on a full pipe.
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            if (standardInput.Length > 0)
            {
                await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The tool stopped reading (it failed early): its exit code and error output say why.
        }

        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return new CommandResult(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }
}
