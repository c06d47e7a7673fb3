using System.Collections.Concurrent;
using ImpVpn.Core.Diagnostics;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>Keeps what the core logs, so a test can say what it warned about (and that it leaked no secret).</summary>
internal sealed class RecordingLog : IProgressLog
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Lines => _lines.ToList();

    public IReadOnlyList<string> Warnings => _lines.Where(l => l.Level == LogLevel.Warning).Select(l => l.Message).ToList();

    public void Log(LogLevel level, string message) => _lines.Enqueue((level, message));

    public void Progress(ProgressUpdate update)
    {
    }
}
