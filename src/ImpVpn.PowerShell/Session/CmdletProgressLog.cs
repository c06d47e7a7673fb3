using System.Collections.Concurrent;
using ImpVpn.Core.Diagnostics;

namespace ImpVpn.PowerShell.Session;

/// <summary>Collects what the core reports from any thread; the cmdlet drains it on the pipeline thread, the only
/// thread PowerShell lets write to its streams.</summary>
internal sealed class CmdletProgressLog : IProgressLog
{
    public BlockingCollection<object> Pending { get; } = [];

    public void Log(LogLevel level, string message) => Add((level, message));

    public void Progress(ProgressUpdate update) => Add(update);

    // Background work (a provider's request handlers) may report after the cmdlet stopped listening.
    private void Add(object item)
    {
        try
        {
            Pending.TryAdd(item);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
