using System.Collections.Concurrent;
using ImpVpn.Core.Diagnostics;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>Keeps what the core logs, so a test can say what it warned about (and that it leaked no secret).</summary>
internal sealed class RecordingLog : IProgressLog
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Lines => _lines.ToList();

    public IReadOnlyList<string> Warnings => _lines.Where(l => l.Level == LogLevel.Warning).Select(l => l.Message).ToList();

    private readonly ConcurrentQueue<(string Fragment, TaskCompletionSource Seen)> _waits = new();

    public void Log(LogLevel level, string message)
    {
        _lines.Enqueue((level, message));
        foreach (var (fragment, seen) in _waits)
        {
            if (message.Contains(fragment, StringComparison.Ordinal))
            {
                seen.TrySetResult();
            }
        }
    }

    /// <summary>Completes once a line containing <paramref name="fragment"/> is logged (at once if one was).</summary>
    public Task SeenAsync(string fragment)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waits.Enqueue((fragment, seen));
        if (_lines.Any(l => l.Message.Contains(fragment, StringComparison.Ordinal)))
        {
            seen.TrySetResult();
        }

        return seen.Task;
    }

    public void Progress(ProgressUpdate update)
    {
    }
}
