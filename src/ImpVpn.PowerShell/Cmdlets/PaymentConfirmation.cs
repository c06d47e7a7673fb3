using System.Management.Automation;
using System.Management.Automation.Host;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// The user's own threshold on payments: one that may cost more (price plus the routing-fee cap) asks the user in an
/// interactive session, and is refused where nobody can be asked (pwsh -NonInteractive, a scheduled task, a hosted
/// runspace without a UI) unless -Force confirmed it on the command line. Separate from ShouldProcess, whose
/// ConfirmImpact decides nothing here: High would stop every unattended run, not only the costly ones.
/// </summary>
internal static class PaymentConfirmation
{
    /// <summary>The preference variable that sets the threshold for a session or a profile.</summary>
    public const string ThresholdVariable = "ImpVpnConfirmAboveSat";

    /// <summary>-ConfirmAboveSat when given, else $ImpVpnConfirmAboveSat, else no threshold.</summary>
    public static long? Threshold(PSCmdlet cmdlet, long? given)
    {
        if (given is not null)
        {
            return given;
        }

        var value = cmdlet.SessionState.PSVariable.GetValue(ThresholdVariable);
        if (value is null)
        {
            return null;
        }

        try
        {
            var threshold = LanguagePrimitives.ConvertTo<long>(value);
            return threshold >= 0 ? threshold : throw new PSInvalidCastException();
        }
        catch (PSInvalidCastException)
        {
            throw new VpnCmdletException(ErrorRecords.InvalidThreshold(value));
        }
    }

    /// <summary>True to go on: no threshold, a payment within it, -Force, or the user said yes. False: the user said
    /// no. Refused (<see cref="VpnCmdletException"/>, ImpVpn.ConfirmationRequired) when there is nobody to ask.</summary>
    public static bool Approve(PSCmdlet cmdlet, long? threshold, bool force, long mostSat, string action, object target)
    {
        if (threshold is not { } limit || mostSat <= limit || force)
        {
            return true;
        }

        try
        {
            return cmdlet.ShouldContinue($"{action}?", $"This payment may cost up to {mostSat} sat, above your confirmation threshold of {limit} sat");
        }
        catch (Exception e) when (e is PSInvalidOperationException or HostException or PSNotImplementedException or NotImplementedException)
        {
            throw new VpnCmdletException(ErrorRecords.ConfirmationRequired(mostSat, limit, action, target));
        }
    }
}
