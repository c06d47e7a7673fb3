using ImpVpn.Core.Protocol;

namespace ImpVpn.Core.Selling;

/// <summary>The seller's price list: a price per hour, charged per started second and rounded up to whole sats,
/// within a minimum and maximum duration.</summary>
public sealed record Pricing(long PricePerHourSat, TimeSpan MinimumDuration, TimeSpan MaximumDuration)
{
    public static readonly Pricing Default = new(1_000, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30));

    /// <summary>Refuses a price list no buyer could use, before a seller starts with it.</summary>
    public Pricing Validated()
    {
        if (PricePerHourSat <= 0)
        {
            throw new ArgumentException($"The price per hour must be at least 1 sat, not {PricePerHourSat}.");
        }

        if (MinimumDuration <= TimeSpan.Zero || MinimumDuration > MaximumDuration)
        {
            throw new ArgumentException($"The minimum duration ({MinimumDuration}) must be positive and no longer than the maximum ({MaximumDuration}).");
        }

        return this;
    }

    public long PriceFor(TimeSpan duration)
    {
        if (duration < MinimumDuration || duration > MaximumDuration)
        {
            throw new ProtocolException(ProtocolErrorCode.DurationOutOfRange,
                $"Durations from {MinimumDuration} to {MaximumDuration} are sold; {duration} was asked for.");
        }

        var seconds = (long)Math.Ceiling(duration.TotalSeconds);
        return Math.Max(1, (long)Math.Ceiling(PricePerHourSat * seconds / 3600.0));
    }
}
