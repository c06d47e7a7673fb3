namespace ImpVpn.Core.WireGuard.Commands;

/// <summary>Where a system tool is found: PATH first, then the sbin folders that a non-root user's PATH on Debian
/// often lacks (ip lives in /usr/sbin). The prerequisite check and the command runner use this one lookup, so a
/// tool the check found is the tool that runs.</summary>
internal static class SystemCommandLocator
{
    private static readonly string[] ExtraFolders = ["/usr/sbin", "/sbin", "/usr/bin"];

    /// <summary>The full path of <paramref name="command"/>, or null when it is nowhere to be found. A name with a
    /// folder in it is taken as it is. <paramref name="searchPath"/> stands for PATH (tests give their own).</summary>
    public static string? Find(string command, string? searchPath = null)
    {
        if (command.Contains(Path.DirectorySeparatorChar) || OperatingSystem.IsWindows())
        {
            return File.Exists(command) ? command : null;
        }

        var path = searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator).Concat(ExtraFolders)
            .Where(folder => folder.Length > 0)
            .Select(folder => Path.Combine(folder, command))
            .FirstOrDefault(File.Exists);
    }
}
