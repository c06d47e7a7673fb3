using System.Management.Automation;
using ImpVpn.Core.Buying;

namespace ImpVpn.PowerShell.Validation;

/// <summary>
/// Takes a quote back as another process handed it over: PowerShell's serialization (Export-Clixml, jobs,
/// remoting) turns a VpnQuote into a property bag, and this rebuilds the quote from it. Every field the seller
/// signed comes back as it was, so a tampered one is refused by the seller's promise check, not trusted here.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class VpnQuoteTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        if (inputData is VpnQuote || inputData is PSObject { BaseObject: VpnQuote })
        {
            return inputData;
        }

        if (inputData is not PSObject bag || bag.Properties["Nonce"] is null || bag.Properties["Promise"] is null)
        {
            return inputData;
        }

        try
        {
            return new VpnQuote(
                Text(bag, "SellerPubKey"),
                Text(bag, "Nonce"),
                LanguagePrimitives.ConvertTo<long>(Value(bag, "PriceSat")),
                LanguagePrimitives.ConvertTo<TimeSpan>(Value(bag, "Duration")),
                LanguagePrimitives.ConvertTo<DateTimeOffset>(Value(bag, "ExpiresAt")),
                Text(bag, "AddressFamily"),
                Text(bag, "Mode"),
                Text(bag, "Promise"))
            {
                SellerNodeAddress = bag.Properties["SellerNodeAddress"]?.Value as string,
            };
        }
        catch (PSInvalidCastException e)
        {
            throw new ArgumentTransformationMetadataException($"The object given as a quote is not a whole VpnQuote: {e.Message}", e);
        }
    }

    private static object Value(PSObject bag, string name) =>
        bag.Properties[name]?.Value ?? throw new ArgumentTransformationMetadataException($"The object given as a quote has no {name}.");

    private static string Text(PSObject bag, string name) => LanguagePrimitives.ConvertTo<string>(Value(bag, name));
}
