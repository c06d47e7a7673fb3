namespace ImpVpn.Core.Diagnostics;

/// <summary>How loud a core log line is. The cmdlets map these onto PowerShell's streams
/// (Debug → Write-Debug, Verbose → Write-Verbose, Info → Write-Information, Warning → Write-Warning).</summary>
public enum LogLevel
{
    Debug,
    Verbose,
    Info,
    Warning,
}

/// <summary>One step of a long operation (waiting for payment, for a handshake), for Write-Progress.</summary>
/// <param name="Activity">What is going on overall, e.g. "Buying a tunnel from 02ab…".</param>
/// <param name="Status">The current step.</param>
/// <param name="PercentComplete">0-100, or -1 when unknown.</param>
public readonly record struct ProgressUpdate(string Activity, string Status, int PercentComplete = -1);

/// <summary>
/// The only channel through which the core talks to whoever drives it (a cmdlet, a test, the simulator's demo).
/// The core never sees PSCmdlet; it gets one of these and a CancellationToken.
/// Implementations must be thread-safe: the core may report from background tasks.
/// Never pass secrets (private keys, macaroons, preimages) to it.
/// </summary>
public interface IProgressLog
{
    void Log(LogLevel level, string message);

    void Progress(ProgressUpdate update);
}

/// <summary>Discards everything; the default when a caller does not care.</summary>
public sealed class NullProgressLog : IProgressLog
{
    public static readonly NullProgressLog Instance = new();

    private NullProgressLog()
    {
    }

    public void Log(LogLevel level, string message)
    {
    }

    public void Progress(ProgressUpdate update)
    {
    }
}
