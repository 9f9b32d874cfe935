using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Console;

namespace Appliance.Daemon.Hosting;

/// <summary>Registration of the daemon's systemd integration.</summary>
public static class SystemdServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SystemdLifecycle"/> and the <see cref="Health.Liveness"/> its watchdog judges (always, so the daemon can call
    /// <see cref="SystemdLifecycle.NotifyReady"/> unconditionally) and, when NOTIFY_SOCKET is set,
    /// runs it as a hosted service and switches console logs to the journal format.
    /// Use instead of UseSystemd/AddSystemd, not with them: those report READY=1 as soon as the
    /// host has started and detect systemd by its parent process, which fails in some units.
    /// </summary>
    public static IServiceCollection AddApplianceSystemd(this IServiceCollection services) =>
        services.AddApplianceSystemd(Environment.GetEnvironmentVariable, Environment.ProcessId);

    // For testing: the environment as a lookup, so tests need not change the process's own.
    internal static IServiceCollection AddApplianceSystemd(this IServiceCollection services,
        Func<string, string?> getVariable, int processId)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = SystemdNotifySettings.FromEnvironment(getVariable, processId);
        services.TryAddSingleton(settings);
        services.TryAddSingleton<ISystemdNotifier>(provider =>
            new NotifySocketNotifier(provider.GetRequiredService<SystemdNotifySettings>().NotifySocket));
        services.TryAddSingleton(provider => new Health.Liveness(provider.GetRequiredService<SystemdNotifySettings>().WatchdogInterval));
        services.TryAddSingleton<SystemdLifecycle>();
        if (!settings.IsEnabled)
            return services;

        services.AddHostedService(provider => provider.GetRequiredService<SystemdLifecycle>());
        services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        if (!string.IsNullOrEmpty(getVariable("JOURNAL_STREAM")))
            services.Configure<ConsoleLoggerOptions>(options => options.FormatterName = ConsoleFormatterNames.Systemd);
        return services;
    }
}
