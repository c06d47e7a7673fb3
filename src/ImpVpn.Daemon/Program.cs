using ImpVpn.Core.Daemon;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.Daemon;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// impvpnd [run] --config PATH   runs the roles the configuration enables until stopped
// impvpnd check --config PATH   checks the configuration and exits (0: usable)
// impvpnd withdraw --config PATH takes the configured seller's interface and firewall table off the host
if (DaemonCommandLine.Parse(args) is not { } command)
{
    await Console.Error.WriteLineAsync(DaemonCommandLine.Usage);
    return DaemonExitCode.BadConfiguration;
}

DaemonSettings settings;
try
{
    settings = DaemonConfigurationCheck.Read(command.ConfigPath);
}
catch (DaemonConfigurationException e)
{
    // Before the host exists, so straight to stderr, which the journal and the service's log both keep.
    await Console.Error.WriteLineAsync($"impvpnd: configuration error: {e.Message}");
    return DaemonExitCode.BadConfiguration;
}

if (command.Verb == "check")
{
    Console.WriteLine($"impvpnd: {command.ConfigPath} is usable: seller {(settings.Seller is null ? "off" : "on")}, scheduled refresh {(settings.Refresh is null ? "off" : "on")}, API {(settings.Api is { } api ? $"on ({api.Listen}, gRPC {api.GrpcListen})" : "off")}, store {settings.StorePath}.");
    return DaemonExitCode.Success;
}

if (command.Verb == "withdraw")
{
    using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(options => options.SingleLine = true));
    var logger = loggers.CreateLogger("impvpnd");
    try
    {
        return await SellerWithdrawCommand.RunAsync(settings, logger).ConfigureAwait(false);
    }
    catch (Exception e)
    {
        DaemonLog.StartFailed(logger, e);
        return DaemonExitCode.Failure;
    }
}

if (settings.Seller is null && settings.SellerLeftover is not null)
{
    using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(options => options.SingleLine = true));
    try
    {
        await SellerWithdrawCommand.WithdrawLeftoverAsync(settings, loggers.CreateLogger("impvpnd")).ConfigureAwait(false);
    }
    catch (Exception e) when (e is WireGuardException or IOException)
    {
        // Not worth failing the buyer's refresh for: said, and tried again at the next start.
        DaemonLog.LeftoverWithdrawalFailed(loggers.CreateLogger("impvpnd"), e);
    }
}

// With the API the host is an ASP.NET Core one (Kestrel); without it, the generic host as before. Both get the
// same roles, service-manager integration and logging.
WebApplicationBuilder? web = null;
IHostApplicationBuilder builder;
if (settings.Api is { } apiSettings)
{
    web = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "impvpnd", ContentRootPath = AppContext.BaseDirectory, Args = [] });
    try
    {
        ApiHost.Configure(web, settings, apiSettings);
    }
    catch (DaemonConfigurationException e)
    {
        // The token or TLS files: as a configuration error above, one line on stderr and no restart.
        await Console.Error.WriteLineAsync($"impvpnd: configuration error: {e.Message}");
        return DaemonExitCode.BadConfiguration;
    }
    builder = web;
}
else
{
    builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "impvpnd", ContentRootPath = AppContext.BaseDirectory });
}

ServiceManagerIntegration.Configure(builder);
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton<NodeConnection>();
if (settings.Seller is { } seller)
{
    builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<SellerService>(services, seller, settings.StorePath));
}

if (settings.Refresh is { } refresh)
{
    builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<RefreshService>(services, refresh, settings.StorePath));
}

using var host = Build();
try
{
    await host.RunAsync().ConfigureAwait(false);
}
catch (OperationCanceledException)
{
    // Stopped (SIGTERM) while still starting: a clean stop, not a failure to restart from.
    return DaemonExitCode.Success;
}
catch (Exception e)
{
    var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("impvpnd");
    DaemonLog.StartFailed(logger, e);
    return DaemonExitCode.Failure;
}

return Environment.ExitCode;

IHost Build()
{
    if (web is null)
    {
        return ((HostApplicationBuilder)builder).Build();
    }

    var app = web.Build();
    ApiHost.Map(app, settings.Api!);
    return app;
}
