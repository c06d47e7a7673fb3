namespace ImpVpn.Bench;

internal static class RepositoryPaths
{
    /// <summary>The repository root: the folder holding ImpVpn.psd1, wherever the build put this program.</summary>
    public static string Root()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ImpVpn.psd1")))
            {
                return folder.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
