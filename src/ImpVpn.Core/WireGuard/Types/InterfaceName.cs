using System.Net.NetworkInformation;
using System.Security.Cryptography;

namespace ImpVpn.Core.WireGuard.Types;

/// <summary>Linux interface names: at most 15 characters, no '/', no whitespace. Names must also be unique
/// across network namespaces because wireguard-go's socket folder is shared by all of them.</summary>
public static class InterfaceName
{
    public const int MaxLength = 15;

    public static void Validate(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || name.Any(c => c == '/' || c == ':' || char.IsWhiteSpace(c) || c > 127))
        {
            throw new ArgumentException($"'{name}' is not a usable interface name (1-{MaxLength} ASCII characters, no '/', ':' or spaces).", nameof(name));
        }
    }

    /// <summary>Whether a network interface of this name exists in this process's namespace: true or false on
    /// Linux, where /sys/class/net lists them to any user, and on macOS and the BSDs, where getifaddrs does (ImpVpn
    /// makes no interfaces there, so a bought tunnel's name is normally absent and removing it needs no
    /// privileges); null on Windows (unknown without privileges).</summary>
    public static bool? ExistsHere(string name) =>
        OperatingSystem.IsLinux() ? Directory.Exists(Path.Combine("/sys/class/net", name))
        : OperatingSystem.IsWindows() ? null
        : NetworkInterface.GetAllNetworkInterfaces().Any(i => i.Name == name);

    /// <summary>A fresh name with a prefix and random hex, e.g. "ivpn3f9a2c1b".</summary>
    public static string Random(string prefix)
    {
        var suffixLength = Math.Min(8, MaxLength - prefix.Length);
        var name = prefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()[..suffixLength];
        Validate(name);
        return name;
    }
}
