using System.Reflection;

namespace ImpVpn.Core.Diagnostics;

/// <summary>This build's version as the manifest gives it (Directory.Build.props stamps every assembly), without the
/// source revision the SDK appends after '+'.</summary>
public static class CoreVersion
{
    public static string Text { get; } =
        (typeof(CoreVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(CoreVersion).Assembly.GetName().Version?.ToString(3)
            ?? "0.0.0").Split('+')[0];
}
