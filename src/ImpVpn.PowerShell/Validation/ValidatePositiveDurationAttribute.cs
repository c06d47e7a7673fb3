using System.Management.Automation;

namespace ImpVpn.PowerShell.Validation;

/// <summary>Refuses a zero or negative TimeSpan at binding time, so a bad -Duration is the user's error
/// (InvalidArgument, on this machine) rather than a refusal that comes back from the seller.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidatePositiveDurationAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var value = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
        if (value is not TimeSpan duration || duration <= TimeSpan.Zero)
        {
            throw new ValidationMetadataException($"'{value}' is not a positive duration; give one such as 01:00:00 (an hour) or 1.00:00:00 (a day).");
        }
    }
}
