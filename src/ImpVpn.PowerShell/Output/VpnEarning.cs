using ImpVpn.Core.Selling;

namespace ImpVpn.PowerShell.Output;

/// <summary>What one UTC day brought a seller: purchases and refreshes settled that day and the sat received.</summary>
public sealed record VpnEarning
{
    /// <summary>The UTC day.</summary>
    public DateOnly Date { get; init; }

    /// <summary>Purchases settled that day.</summary>
    public int Contracts { get; init; }

    /// <summary>Refreshes settled that day.</summary>
    public int Refreshes { get; init; }

    public long ReceivedSat { get; init; }

    public static VpnEarning From(DailyEarning day) => new()
    {
        Date = day.Date,
        Contracts = day.Contracts,
        Refreshes = day.Refreshes,
        ReceivedSat = day.ReceivedSat,
    };

    public override string ToString() => $"{Date:yyyy-MM-dd} {ReceivedSat} sat";
}
