using System.Management.Automation;

namespace ImpVpn.PowerShell.Validation;

/// <summary>Reads a mode or address family written as the protocol spells it ("node-to-node", "port-forward") as the
/// parameter's own name (NodeToNode, PortForward) before ValidateSet sees it, so an object piped in that carries the
/// protocol's spelling (a VpnQuote's Mode) binds instead of failing validation.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class OfferNameTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            string text => Name(text),
            string[] texts => texts.Select(Name).ToArray(),
            _ => inputData,
        };
    }

    private static string Name(string text) => text.Replace("-", string.Empty, StringComparison.Ordinal);
}
