using ImpVpn.Core.Diagnostics;
using Microsoft.Extensions.Logging;
using CoreLevel = ImpVpn.Core.Diagnostics.LogLevel;
using HostLevel = Microsoft.Extensions.Logging.LogLevel;

namespace ImpVpn.Daemon;

/// <summary>The core's log (which cmdlets show on PowerShell's streams) written to the host's logger, and so to the
/// journal or the event log. Progress becomes a debug line: a service has nobody to show a progress bar to.</summary>
internal sealed partial class LoggerProgressLog(ILogger logger) : IProgressLog
{
    public void Log(CoreLevel level, string message) => Write(logger, level switch
    {
        CoreLevel.Debug => HostLevel.Debug,
        CoreLevel.Verbose => HostLevel.Debug,
        CoreLevel.Info => HostLevel.Information,
        _ => HostLevel.Warning,
    }, message);

    public void Progress(ProgressUpdate update) => WriteProgress(logger, update.Activity, update.Status);

    [LoggerMessage(Message = "{Message}")]
    private static partial void Write(ILogger logger, HostLevel level, string message);

    [LoggerMessage(Level = HostLevel.Debug, Message = "{Activity}: {Status}")]
    private static partial void WriteProgress(ILogger logger, string activity, string status);
}
