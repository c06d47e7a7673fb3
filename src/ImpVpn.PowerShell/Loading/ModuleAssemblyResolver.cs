using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace ImpVpn.PowerShell.Loading;

/// <summary>
/// Runs when PowerShell imports the module. The cmdlet assembly itself sits in the default load context
/// (PowerShell loads it there); the only assemblies it references directly are ImpVpn's own. When the runtime
/// asks the default context for one of those, this hands back the copy loaded in <see cref="DependencyLoadContext"/>,
/// and from then on every dependency of ImpVpn.Core resolves inside that private context.
/// </summary>
public sealed class ModuleAssemblyResolver : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    // The assemblies the cmdlet layer references directly. Only these are bridged into the default context;
    // everything else stays private to the module's context.
    private static readonly HashSet<string> BridgedAssemblies = new(StringComparer.OrdinalIgnoreCase)
    {
        "ImpVpn.Core",
        "ImpVpn.Lnd.Rpc",
    };

    private static readonly Lazy<DependencyLoadContext> LoadContext = new(() =>
    {
        var moduleFolder = Path.GetDirectoryName(typeof(ModuleAssemblyResolver).Assembly.Location)!;
        return new DependencyLoadContext(Path.Combine(moduleFolder, "Dependencies"));
    });

    public void OnImport()
    {
        AssemblyLoadContext.Default.Resolving += ResolveIntoModuleContext;
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        AssemblyLoadContext.Default.Resolving -= ResolveIntoModuleContext;
    }

    private static Assembly? ResolveIntoModuleContext(AssemblyLoadContext defaultContext, AssemblyName name)
    {
        if (name.Name is null || !BridgedAssemblies.Contains(name.Name))
        {
            return null;
        }

        var context = LoadContext.Value;
        var path = Path.Combine(context.DependencyFolder, name.Name + ".dll");
        return File.Exists(path) ? context.LoadFromAssemblyName(name) : null;
    }
}
