using System.Diagnostics;

namespace ImpVpn.Bench;

/// <summary>A command run in a network namespace with a time limit: killed (with its children) when it overruns, so a
/// hung iperf3 or ping never hangs the benchmark.</summary>
internal static class BoundedCommand
{
    /// <summary>Runs <paramref name="file"/> in namespace <paramref name="ns"/> (the current one when null) and returns
    /// its standard output; throws when it fails or outlives <paramref name="timeout"/>.</summary>
    public static async Task<string> RunAsync(string? ns, TimeSpan timeout, string file, params string[] arguments)
    {
        using var process = Start(ns, file, arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"'{Describe(ns, file, arguments)}' did not finish within {timeout.TotalSeconds} s and was killed.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{Describe(ns, file, arguments)}' failed ({process.ExitCode}): {(await error).Trim()} {(await output).Trim()}");
        }

        return await output;
    }

    /// <summary>Starts a long-running command (a server) in <paramref name="ns"/>; the caller kills it.</summary>
    public static Process Start(string? ns, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(ns is null ? file : "ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };

        // wireguard-go daemonizes; with LOG_LEVEL set its daemon would keep the output pipes open (ProcessCommandRunner).
        start.Environment.Remove("LOG_LEVEL");
        if (ns is not null)
        {
            foreach (var prefix in new[] { "netns", "exec", ns, file })
            {
                start.ArgumentList.Add(prefix);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {file}.");
    }

    /// <summary>Kills a process <see cref="Start"/> started and waits for it (bounded).</summary>
    public static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string Describe(string? ns, string file, string[] arguments) =>
        (ns is null ? string.Empty : $"ip netns exec {ns} ") + file + " " + string.Join(' ', arguments);
}
