using System.Runtime.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace ImpVpn.Daemon;

/// <summary>How impvpnd talks to the service manager that runs it: systemd (readiness and stopping over
/// NOTIFY_SOCKET, log lines the journal reads with their priority) or the Windows service control manager (and the
/// event log). Run by hand it is a console program that stops on Ctrl+C or SIGTERM.</summary>
internal static class ServiceManagerIntegration
{
    public static void Configure(IHostApplicationBuilder builder)
    {
        builder.Services.AddWindowsService(options => options.ServiceName = "impvpnd");
        if (OperatingSystem.IsWindows())
        {
            AddEventLog(builder);
        }

        builder.Services.AddSystemd();
        if (!SystemdHelpers.IsSystemdService() && Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is { Length: > 0 })
        {
            // AddSystemd recognises systemd only as the direct parent. A notify socket means whoever started us
            // (systemd through a wrapper, a container's init, a test) waits for READY=1 all the same.
            builder.Services.Configure<ConsoleLoggerOptions>(options => options.FormatterName = ConsoleFormatterNames.Systemd);
            builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }
    }

    [SupportedOSPlatform("windows")]
    private static void AddEventLog(IHostApplicationBuilder builder) =>
        builder.Logging.AddEventLog(settings => settings.SourceName = "impvpnd");
}
