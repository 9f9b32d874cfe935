using System.Net.Sockets;
using Tmds.DBus.Protocol;

namespace Appliance.Hal.HostServices;

/// <summary>
/// <see cref="IHostServices"/> over the system D-Bus, calling systemd's hostnamed, timedated,
/// PID 1 and logind. Construction never touches the bus: the connection is made on the first call
/// and made again after it drops, so a daemon started without a bus keeps running and reports
/// <see cref="HostServiceUnavailableException"/> per call.
/// </summary>
public sealed partial class DBusHostServices : IHostServices, IAsyncDisposable, IDisposable
{
    /// <summary>The system bus socket when DBUS_SYSTEM_BUS_ADDRESS is not set.</summary>
    public const string DefaultSystemBusAddress = "unix:path=/run/dbus/system_bus_socket";

    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private DBusConnection? _connection;
    private bool _disposed;

    /// <summary>Creates the client for <paramref name="busAddress"/>, or the system bus when null.</summary>
    /// <param name="busAddress">A D-Bus address such as "unix:path=/run/dbus/system_bus_socket".</param>
    public DBusHostServices(string? busAddress = null)
    {
        BusAddress = string.IsNullOrWhiteSpace(busAddress) ? SystemBusAddress() : busAddress;
    }

    /// <summary>The address this client connects to.</summary>
    public string BusAddress { get; }

    /// <summary>How long a connect or a method call may take before the host counts as unavailable.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>How often <see cref="WatchNtpSynchronizedAsync"/> re-reads NTPSynchronized besides listening for signals.</summary>
    public TimeSpan NtpPollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>DBUS_SYSTEM_BUS_ADDRESS if set, else <see cref="DefaultSystemBusAddress"/>.</summary>
    public static string SystemBusAddress()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS");
        return string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultSystemBusAddress : fromEnvironment;
    }

    /// <inheritdoc />
    public Task SetStaticHostnameAsync(string hostname, CancellationToken cancellationToken = default)
    {
        HostServiceInput.Hostname(hostname);
        return CallAsync("hostname1 SetStaticHostname", DBusNames.Hostname1, cancellationToken, connection =>
        {
            using var writer = connection.GetMessageWriter();
            writer.WriteMethodCallHeader(DBusNames.Hostname1, DBusNames.Hostname1Path, DBusNames.Hostname1,
                "SetStaticHostname", "sb");
            writer.WriteString(hostname);
            writer.WriteBool(false); // interactive: no polkit prompt, we run as root
            return writer.CreateMessage();
        });
    }

    /// <inheritdoc />
    public Task SetTimezoneAsync(string timezone, CancellationToken cancellationToken = default)
    {
        HostServiceInput.Timezone(timezone);
        return CallAsync("timedate1 SetTimezone", DBusNames.Timedate1, cancellationToken, connection =>
        {
            using var writer = connection.GetMessageWriter();
            writer.WriteMethodCallHeader(DBusNames.Timedate1, DBusNames.Timedate1Path, DBusNames.Timedate1,
                "SetTimezone", "sb");
            writer.WriteString(timezone);
            writer.WriteBool(false);
            return writer.CreateMessage();
        });
    }

    /// <inheritdoc />
    public Task RestartServiceAsync(string unitName, CancellationToken cancellationToken = default) =>
        UnitJobAsync("RestartUnit", unitName, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// logind's Reboot runs the shutdown inhibitor checks and starts reboot.target, so services stop
    /// cleanly; systemd1 Manager.Reboot would skip all of that.
    /// </remarks>
    public Task RebootAsync(CancellationToken cancellationToken = default) =>
        CallAsync("login1 Reboot", DBusNames.Login1, cancellationToken, connection =>
        {
            using var writer = connection.GetMessageWriter();
            writer.WriteMethodCallHeader(DBusNames.Login1, DBusNames.Login1Path, DBusNames.Login1Manager,
                "Reboot", "b");
            writer.WriteBool(false);
            return writer.CreateMessage();
        });

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        Interlocked.Exchange(ref _connection, null)?.Dispose();
    }

    private async Task CallAsync(string operation, string destination, CancellationToken cancellationToken,
        Func<DBusConnection, MessageBuffer> build)
    {
        await CallAsync<bool>(operation, destination, cancellationToken, build, static (_, _) => true).ConfigureAwait(false);
    }

    internal async Task<T> CallAsync<T>(string operation, string destination, CancellationToken cancellationToken,
        Func<DBusConnection, MessageBuffer> build, MessageValueReader<T> readReply)
    {
        var connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await connection.CallMethodAsync(build(connection), readReply)
                .WaitAsync(CallTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException e) when (e.ErrorName is DBusNames.ErrorServiceUnknown or DBusNames.ErrorNameHasNoOwner)
        {
            throw new HostServiceUnavailableException(
                $"{destination} is not on the system D-Bus at {BusAddress} (is its daemon installed and running?): {e.ErrorMessage}", e);
        }
        catch (DBusErrorReplyException e)
        {
            throw new HostServiceCallException(operation, e.ErrorName, e.ErrorMessage, e);
        }
        catch (DBusConnectionException e)
        {
            Forget(connection);
            throw new HostServiceUnavailableException($"lost the system D-Bus at {BusAddress} during {operation}: {e.Message}", e);
        }
        catch (TimeoutException e)
        {
            throw new HostServiceUnavailableException(
                $"{operation} got no answer from {destination} on {BusAddress} within {CallTimeout.TotalSeconds:0.#} s", e);
        }
        catch (ObjectDisposedException e)
        {
            // The connection closed under this call (the bus went away: Tmds disposes it, or another
            // call forgot it first). An InvalidOperationException too, but a lost bus, not a bad reply.
            Forget(connection);
            throw new HostServiceUnavailableException($"lost the system D-Bus at {BusAddress} during {operation}: its connection was closed", e);
        }
        catch (Exception e) when (e is InvalidOperationException or DBusUnexpectedValueException or DBusReadException)
        {
            // The reply reader met a type it did not expect: a daemon of another version, not a bus failure.
            throw new HostServiceCallException(operation, "unexpected-reply", e.Message, e);
        }
    }

    internal async Task<DBusConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var existing = Volatile.Read(ref _connection);
        if (existing is not null)
            return existing;

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is not null)
                return _connection;
            ThrowIfSocketMissing();
            var connection = new DBusConnection(BusAddress);
            try
            {
                await connection.ConnectAsync().AsTask().WaitAsync(CallTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DBusConnectionException or SocketException or IOException or TimeoutException
                                          or ArgumentException or NotSupportedException)
            {
                connection.Dispose();
                throw new HostServiceUnavailableException($"no system D-Bus at {BusAddress}: {e.Message}", e);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
            _connection = connection;
            _ = ForgetWhenDisconnectedAsync(connection);
            return connection;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    // A missing socket file is the usual "no bus" case (containers, build machines); saying so
    // beats the connect error text.
    private void ThrowIfSocketMissing()
    {
        const string prefix = "unix:path=";
        if (!BusAddress.StartsWith(prefix, StringComparison.Ordinal))
            return;
        var path = BusAddress[prefix.Length..].Split(',', 2)[0];
        if (!File.Exists(path))
            throw new HostServiceUnavailableException($"no system D-Bus at {BusAddress}: socket {path} does not exist");
    }

    private async Task ForgetWhenDisconnectedAsync(DBusConnection connection)
    {
        await connection.DisconnectedAsync().ConfigureAwait(false);
        Forget(connection);
    }

    private void Forget(DBusConnection connection)
    {
        if (Interlocked.CompareExchange(ref _connection, null, connection) == connection)
            connection.Dispose();
    }
}
