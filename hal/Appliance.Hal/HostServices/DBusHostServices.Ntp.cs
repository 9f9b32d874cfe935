using Tmds.DBus.Protocol;

namespace Appliance.Hal.HostServices;

public sealed partial class DBusHostServices
{
    /// <inheritdoc />
    public Task<bool> GetNtpSynchronizedAsync(CancellationToken cancellationToken = default) =>
        CallAsync("timedate1 Get NTPSynchronized", DBusNames.Timedate1, cancellationToken, connection =>
        {
            using var writer = connection.GetMessageWriter();
            writer.WriteMethodCallHeader(DBusNames.Timedate1, DBusNames.Timedate1Path, DBusNames.Properties, "Get", "ss");
            writer.WriteString(DBusNames.Timedate1);
            writer.WriteString(DBusNames.NtpSynchronized);
            return writer.CreateMessage();
        }, static (message, _) => message.GetBodyReader().ReadVariantValue().GetBool());

    /// <inheritdoc />
    /// <remarks>
    /// Both a PropertiesChanged subscription (prompt when timedated does signal) and polling every
    /// <see cref="NtpPollInterval"/> (timedated signals NTPSynchronized only when it changes NTP
    /// itself, not when the kernel's sync state flips). After the bus drops, polling reconnects and
    /// subscribes again; meanwhile the last reported value stands.
    /// </remarks>
    public async Task<IAsyncDisposable> WatchNtpSynchronizedAsync(Action<bool> onChanged,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onChanged);
        var watch = new NtpSyncWatch(this, onChanged, NtpPollInterval);
        try
        {
            await watch.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await watch.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return watch;
    }

    /// <summary>Subscribes to timedate1's PropertiesChanged on the current connection.</summary>
    /// <param name="onChange">Called with the new value, or null when the property was only invalidated.</param>
    internal async Task<(DBusConnection Connection, IDisposable Subscription)> SubscribeNtpChangesAsync(
        Action<bool?> onChange, CancellationToken cancellationToken)
    {
        var connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // No sender filter: the bus would match it against timedated's unique name, which
            // changes whenever timedated is (re)activated; path and arg0 are enough.
            var subscription = await connection.WatchSignalAsync(
                sender: null, path: DBusNames.Timedate1Path, @interface: DBusNames.Properties,
                signal: "PropertiesChanged", reader: static (message, _) => ReadNtpChange(message),
                handler: notification =>
                {
                    if (notification.HasValue && notification.Value.Relevant)
                        onChange(notification.Value.Value);
                },
                flags: ObserverFlags.None, emitOnCapturedContext: false)
                .AsTask().WaitAsync(CallTimeout, cancellationToken).ConfigureAwait(false);
            return (connection, subscription);
        }
        catch (Exception e) when (e is DBusConnectionException or TimeoutException)
        {
            Forget(connection);
            throw new HostServiceUnavailableException($"cannot watch timedate1 on the system D-Bus at {BusAddress}: {e.Message}", e);
        }
    }

    internal bool IsCurrent(DBusConnection connection) => ReferenceEquals(Volatile.Read(ref _connection), connection);

    // PropertiesChanged(s interface, a{sv} changed, as invalidated)
    private static (bool Relevant, bool? Value) ReadNtpChange(Message message)
    {
        var reader = message.GetBodyReader();
        if (reader.ReadString() != DBusNames.Timedate1)
            return (false, null);
        bool? value = null;
        var relevant = false;
        var changed = reader.ReadDictionaryStart();
        while (reader.HasNext(changed))
        {
            var name = reader.ReadString();
            var variant = reader.ReadVariantValue();
            if (name == DBusNames.NtpSynchronized && variant.Type == VariantValueType.Bool)
                (relevant, value) = (true, variant.GetBool());
        }
        var invalidated = reader.ReadArrayStart(DBusType.String);
        while (reader.HasNext(invalidated))
        {
            if (reader.ReadString() == DBusNames.NtpSynchronized)
                relevant = true;
        }
        return (relevant, value);
    }
}
