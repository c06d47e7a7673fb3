using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ImpVpn.TestSupport;

namespace ImpVpn.Daemon.Tests;

/// <summary>impvpnd as the service manager runs it: its own process (dotnet impvpnd.dll), NOTIFY_SOCKET set to a
/// socket the test listens on, its log lines collected. Dispose kills what is still running.</summary>
internal sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = [];
    private readonly ConcurrentQueue<string> _all = new();

    private DaemonProcess(Process process, NotifySocket? notify)
    {
        _process = process;
        Notify = notify;
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public NotifySocket? Notify { get; }

    public int Id => _process.Id;

    /// <summary>Every line written so far (stdout and stderr).</summary>
    public string Output => string.Join('\n', _all);

    public static DaemonProcess Start(string configPath, string? notifySocketPath, params string[] verb) =>
        Start(configPath, notifySocketPath, new Dictionary<string, string>(), verb);

    /// <param name="environment">variables set for the daemon beside the test's own.</param>
    public static DaemonProcess Start(string configPath, string? notifySocketPath, IReadOnlyDictionary<string, string> environment, params string[] verb)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "impvpnd.dll"));
        foreach (var word in verb)
        {
            start.ArgumentList.Add(word);
        }

        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(configPath);
        start.Environment.Remove("NOTIFY_SOCKET");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var notify = notifySocketPath is null ? null : new NotifySocket(notifySocketPath);
        if (notify is not null)
        {
            start.Environment["NOTIFY_SOCKET"] = notify.Path;
        }

        return new DaemonProcess(Process.Start(start)!, notify);
    }

    /// <summary>Waits (bounded) for a notification; the ones before it are returned too, in order.</summary>
    public async Task<List<string>> NotificationsUntilAsync(string wanted, TimeSpan wait)
    {
        var seen = new List<string>();
        var deadline = DateTime.UtcNow + wait;
        while (DateTime.UtcNow < deadline)
        {
            var message = await Notify!.ReceiveAsync(deadline - DateTime.UtcNow);
            if (message is null)
            {
                break;
            }

            seen.Add(message);
            if (message.Split('\n').Contains(wanted))
            {
                return seen;
            }
        }

        throw new TimeoutException($"No {wanted} within {wait}; got [{string.Join(", ", seen)}]. Output:\n{Output}");
    }

    /// <summary>Waits (bounded) for a log line containing <paramref name="text"/>.</summary>
    public string WaitForLine(string text, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        foreach (var line in _all)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return line;
            }
        }

        while (_lines.TryTake(out var line, Max(deadline - DateTime.UtcNow)))
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new TimeoutException($"No line with '{text}' within {wait}. Output:\n{Output}");
    }

    /// <summary>SIGTERM, as systemd stops a service; the exit code once it has exited (bounded).</summary>
    public int Terminate(TimeSpan wait)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        return WaitForExit(wait);
    }

    public int WaitForExit(TimeSpan wait)
    {
        if (!_process.WaitForExit(wait))
        {
            throw new TimeoutException($"impvpnd did not exit within {wait}. Output:\n{Output}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        Notify?.Dispose();
        _lines.Dispose();
    }

    private static TimeSpan Max(TimeSpan span) => span < TimeSpan.Zero ? TimeSpan.Zero : span;

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        _all.Enqueue(line);
        if (!_lines.IsAddingCompleted)
        {
            _lines.Add(line);
        }
    }
}
