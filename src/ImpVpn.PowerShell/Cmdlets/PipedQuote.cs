using System.Management.Automation;
using ImpVpn.Core.Buying;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// A quote as it reaches Confirm-VpnContract: the VpnQuote itself; the same quote after it crossed a process boundary
/// (Export-Clixml and Import-Clixml, a job, remoting turn it into a property bag with every field), rebuilt from its
/// properties; or only the original API's three values (SellerPubKey, Nonce, PriceSat, say from a CSV), which name a
/// quote this session requested. Nothing here is trusted: the seller checks every term against its own promise.
/// </summary>
internal static class PipedQuote
{
    /// <summary>The quote <paramref name="input"/> stands for; null when it names none this session knows.</summary>
    /// <exception cref="ArgumentException">The object carries neither a whole quote nor the three values.</exception>
    public static VpnQuote? From(PSObject input, Func<string, string, long, VpnQuote?> recall)
    {
        if (input.BaseObject is VpnQuote quote)
        {
            return quote;
        }

        if (Has(input, "Promise") && Has(input, "Duration") && Has(input, "ExpiresAt"))
        {
            return new VpnQuote(
                NodePubKey.Normalize(Text(input, "SellerPubKey")),
                Text(input, "Nonce"),
                LanguagePrimitives.ConvertTo<long>(Value(input, "PriceSat")),
                LanguagePrimitives.ConvertTo<TimeSpan>(Value(input, "Duration")),
                Moment(Value(input, "ExpiresAt")),
                Text(input, "AddressFamily"),
                Text(input, "Mode"),
                Text(input, "Promise"))
            {
                SellerNodeAddress = input.Properties["SellerNodeAddress"]?.Value as string,
            };
        }

        return recall(Text(input, "SellerPubKey"), Text(input, "Nonce"), LanguagePrimitives.ConvertTo<long>(Value(input, "PriceSat")));
    }

    // PowerShell's serializer knows DateTime but not DateTimeOffset: one comes back as a bag of its properties,
    // whose UtcTicks give the instant exactly (its text form would depend on the culture).
    private static DateTimeOffset Moment(object value) =>
        value is PSObject { BaseObject: not DateTimeOffset } bag && bag.Properties["UtcTicks"]?.Value is { } ticks
            ? new DateTimeOffset(LanguagePrimitives.ConvertTo<long>(ticks), TimeSpan.Zero)
            : LanguagePrimitives.ConvertTo<DateTimeOffset>(value);

    private static bool Has(PSObject input, string name) => input.Properties[name]?.Value is not null;

    private static object Value(PSObject input, string name) =>
        input.Properties[name]?.Value ?? throw new ArgumentException($"The object given as a quote has no {name}: give a quote from Request-VpnQuote, or -PubKey, -Nonce and -Price.");

    private static string Text(PSObject input, string name) => LanguagePrimitives.ConvertTo<string>(Value(input, name));
}
