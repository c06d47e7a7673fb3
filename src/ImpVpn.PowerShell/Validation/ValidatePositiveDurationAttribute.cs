using System.Management.Automation;

namespace ImpVpn.PowerShell.Validation;

/// <summary>Refuses a zero or negative TimeSpan at binding time, so a bad -Duration is the user's error
/// (InvalidArgument, on this machine) rather than a refusal that comes back from the seller; with
/// <see cref="MaxSeconds"/>, a longer one too (a typo of hours for seconds would otherwise hold on for hours).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidatePositiveDurationAttribute : ValidateArgumentsAttribute
{
    /// <summary>The longest duration accepted, in seconds; 0 for no bound.</summary>
    public int MaxSeconds { get; set; }

    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var value = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
        if (value is not TimeSpan duration || duration <= TimeSpan.Zero)
        {
            throw new ValidationMetadataException($"'{value}' is not a positive duration; give one such as 01:00:00 (an hour) or 1.00:00:00 (a day).");
        }

        if (MaxSeconds > 0 && duration > TimeSpan.FromSeconds(MaxSeconds))
        {
            throw new ValidationMetadataException($"'{value}' is longer than the {TimeSpan.FromSeconds(MaxSeconds)} allowed here.");
        }
    }
}
