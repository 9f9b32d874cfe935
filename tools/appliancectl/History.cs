namespace Appliance.Ctl;

/// <summary>Lines entered in the shell, kept in ~/.appliancectl_history (mode 0600: lines may carry
/// configuration values) when that file can be written; in memory otherwise. Lines that name a
/// secret never come here (HistoryFilter).</summary>
internal sealed class History
{
    private const int MaxLines = 1000;
    private readonly List<string> _lines = [];
    private string? _path;

    public History(string? path)
    {
        _path = path;
        if (path is null || !File.Exists(path))
            return;
        try
        {
            _lines.AddRange(File.ReadLines(path).Where(l => l.Length > 0).TakeLast(MaxLines));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _path = null;
        }
    }

    public static string? DefaultPath(Func<string, string?> getEnv) =>
        getEnv("HOME") is { Length: > 0 } home ? Path.Combine(home, ".appliancectl_history") : null;

    public int Count => _lines.Count;

    public string this[int index] => _lines[index];

    public void Add(string line)
    {
        if (line.Length == 0 || _lines.Count > 0 && _lines[^1] == line)
            return;
        _lines.Add(line);
        if (_lines.Count > MaxLines)
            _lines.RemoveAt(0);
        if (_path is null)
            return;
        try
        {
            using var w = new StreamWriter(_path, WriteOptions(FileMode.Append));
            w.WriteLine(line);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _path = null;
        }
    }

    /// <summary>Drops the lines that match from memory and from the file. The file is rewritten (the
    /// lines kept in memory, through a new file renamed over it) only when one of its lines matches.</summary>
    public void Forget(Func<string, bool> match)
    {
        _lines.RemoveAll(l => match(l));
        if (_path is null || !File.Exists(_path))
            return;
        var fresh = _path + ".new";
        try
        {
            if (!File.ReadLines(_path).Any(l => l.Length > 0 && match(l)))
                return;
            File.Delete(fresh); // a leftover would keep its mode; the new one is created 0600
            using (var w = new StreamWriter(fresh, WriteOptions(FileMode.CreateNew)))
                foreach (var line in _lines)
                    w.WriteLine(line);
            File.Move(fresh, _path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _path = null;
        }
    }

    private static FileStreamOptions WriteOptions(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return options;
    }
}
