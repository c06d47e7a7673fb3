using System.Reflection;
using System.Runtime.Loader;

namespace ImpVpn.PowerShell.Loading;

/// <summary>
/// The module's private AssemblyLoadContext. ImpVpn.Core and everything it depends on (Grpc.Net.Client,
/// Google.Protobuf, BouncyCastle, QRCoder) live in the module's <c>Dependencies</c> folder and are loaded here,
/// so another module that loads a different Google.Protobuf or Grpc.Net.Client into the same session
/// breaks neither that module nor ImpVpn. This is the pattern PowerShell's own docs recommend for binary
/// modules ("resolving assembly conflicts"), as PSReadLine and PSResourceGet do.
/// </summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    private readonly string _dependencyFolder;

    public DependencyLoadContext(string dependencyFolder)
        : base("ImpVpn", isCollectible: false)
    {
        _dependencyFolder = dependencyFolder;
    }

    public string DependencyFolder => _dependencyFolder;

    /// <summary>Loads from the Dependencies folder when the assembly is ours to carry; otherwise defers to the
    /// default context (framework assemblies, System.Management.Automation).</summary>
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var candidate = Path.Combine(_dependencyFolder, assemblyName.Name + ".dll");
        return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var candidate = Path.Combine(_dependencyFolder, unmanagedDllName);
        return File.Exists(candidate) ? LoadUnmanagedDllFromPath(candidate) : IntPtr.Zero;
    }
}
