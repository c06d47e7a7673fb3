namespace ImpVpn.Core.Selling;

/// <summary>A seller configured to sell exit tunnels cannot deliver them (<see cref="SellerExitCheck"/>): it refuses to
/// start rather than take payments for tunnels that would not reach the internet, or would reach more of it than
/// an exit grants. <see cref="Setting"/> names the option at fault, as <see cref="SellerOptions"/> spells it.</summary>
public sealed class SellerExitException(string setting, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Setting { get; } = setting;
}
