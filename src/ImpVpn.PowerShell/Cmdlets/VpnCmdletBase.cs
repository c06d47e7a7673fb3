using System.Management.Automation;
using ImpVpn.Core.Buyer;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// What every ImpVpn cmdlet shares: a CancellationToken cancelled by Ctrl+C (StopProcessing), running core work
/// while relaying its log and progress to PowerShell's streams on the pipeline thread, and turning the core's typed
/// exceptions into ErrorRecords with stable ids and categories.
/// </summary>
public abstract class VpnCmdletBase : PSCmdlet
{
    private readonly CancellationTokenSource _stop = new();

    protected CancellationToken CancelToken => _stop.Token;

    protected override void StopProcessing() => _stop.Cancel();

    protected ILightningNode RequireNode() =>
        VpnSession.Node ?? throw new VpnCmdletException(new ErrorRecord(
            new InvalidOperationException("Not connected to a Lightning node. Run Connect-VpnNode first."),
            "ImpVpn.NotConnected", ErrorCategory.ConnectionError, null));

    /// <summary>Runs <paramref name="work"/> on the thread pool, writing what it reports as it goes.</summary>
    protected T Run<T>(Func<IProgressLog, CancellationToken, Task<T>> work)
    {
        var log = new CmdletProgressLog();
        var task = Task.Run(() => work(log, CancelToken));
        task.ContinueWith(_ => log.Pending.CompleteAdding(), TaskScheduler.Default);
        foreach (var item in log.Pending.GetConsumingEnumerable())
        {
            switch (item)
            {
                case ValueTuple<LogLevel, string> (var level, var message):
                    Write(level, message);
                    break;
                case ProgressUpdate progress:
                    WriteProgress(new ProgressRecord(1, progress.Activity, progress.Status) { PercentComplete = progress.PercentComplete });
                    break;
            }
        }

        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (ToErrorRecord(e) is { } record)
        {
            throw new VpnCmdletException(record);
        }
    }

    private void Write(LogLevel level, string message)
    {
        switch (level)
        {
            case LogLevel.Debug:
                WriteDebug(message);
                break;
            case LogLevel.Verbose:
                WriteVerbose(message);
                break;
            case LogLevel.Info:
                // Shown like Write-Host (what a running seller is doing should be visible without switches), yet
                // still an information record: 6> captures it and -InformationAction Ignore silences it.
                WriteInformation(new HostInformationMessage { Message = message }, ["PSHOST", "ImpVpn"]);
                break;
            case LogLevel.Warning:
                WriteWarning(message);
                break;
        }
    }

    /// <summary>The stable error ids and categories of ImpVpn's failures (documented in about_ImpVpn).</summary>
    internal static ErrorRecord? ToErrorRecord(Exception e) => e switch
    {
        VpnCmdletException wrapped => wrapped.ErrorRecord,
        PurchaseException p => new ErrorRecord(p, "ImpVpn." + p.Error, p.Error switch
        {
            PurchaseError.PriceAboveMaximum => ErrorCategory.LimitsExceeded,
            PurchaseError.QuoteExpired => ErrorCategory.InvalidOperation,
            PurchaseError.InvoiceMismatch => ErrorCategory.SecurityError,
            PurchaseError.SellerUnreachable => ErrorCategory.ConnectionError,
            PurchaseError.UnknownContract => ErrorCategory.ObjectNotFound,
            _ => ErrorCategory.InvalidResult,
        }, null),
        CertificateMismatchException => new ErrorRecord(e, "ImpVpn.CertificateMismatch", ErrorCategory.SecurityError, null),
        MacaroonException => new ErrorRecord(e, "ImpVpn.MacaroonRefused", ErrorCategory.AuthenticationError, null),
        NodeUnreachableException => new ErrorRecord(e, "ImpVpn.NodeUnreachable", ErrorCategory.ConnectionError, null),
        NodeNotSyncedException => new ErrorRecord(e, "ImpVpn.NodeNotSynced", ErrorCategory.ResourceUnavailable, null),
        WrongNetworkException => new ErrorRecord(e, "ImpVpn.WrongNetwork", ErrorCategory.InvalidData, null),
        LightningException => new ErrorRecord(e, "ImpVpn.LightningError", ErrorCategory.InvalidResult, null),
        WireGuardPrerequisiteException => new ErrorRecord(e, "ImpVpn.WireGuardPrerequisites", ErrorCategory.PermissionDenied, null),
        WireGuardException => new ErrorRecord(e, "ImpVpn.WireGuardError", ErrorCategory.DeviceError, null),
        ProtocolException => new ErrorRecord(e, "ImpVpn.ProtocolError", ErrorCategory.ProtocolError, null),
        ArgumentException or FormatException => new ErrorRecord(e, "ImpVpn.InvalidArgument", ErrorCategory.InvalidArgument, null),
        IOException or UnauthorizedAccessException => new ErrorRecord(e, "ImpVpn.StoreError", ErrorCategory.WriteError, null),
        _ => null,
    };

    /// <summary>Writes a non-terminating error for one pipeline item and goes on with the next.</summary>
    protected void WriteItemError(Exception e, object? target)
    {
        var record = e is VpnCmdletException wrapped ? wrapped.ErrorRecord : ToErrorRecord(e)
            ?? new ErrorRecord(e, "ImpVpn.Unexpected", ErrorCategory.NotSpecified, target);
        WriteError(record);
    }
}

/// <summary>Carries an ErrorRecord out of core work so the cmdlet can write or throw it.</summary>
public sealed class VpnCmdletException(ErrorRecord record) : Exception(record.Exception.Message, record.Exception)
{
    public ErrorRecord ErrorRecord { get; } = record;
}
