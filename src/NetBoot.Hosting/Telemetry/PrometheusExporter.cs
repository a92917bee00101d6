using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace NetBoot.Hosting.Telemetry;

/// <summary>Aggregates one <see cref="Meter"/>'s measurements with a <see cref="MeterListener"/> and writes them in
/// Prometheus text exposition format 0.0.4. Written by hand rather than through prometheus-net or OpenTelemetry:
/// a few hundred lines, no reflection (NativeAOT-clean), no dependency. Counters are cumulative, up-down counters and
/// observable gauges are gauges, histograms use the instrument's advised bucket boundaries.</summary>
public sealed class PrometheusExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentSeries> _instruments = new();
    private readonly Lock _collect = new();

    public PrometheusExporter(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                _instruments.TryAdd(instrument, new InstrumentSeries(instrument));
                listener.EnableMeasurementEvents(instrument, _instruments[instrument]);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>The exposition text: one HELP/TYPE block per metric, series sorted by labels.</summary>
    public string Collect()
    {
        var text = new StringBuilder();
        lock (_collect)
        {
            // An observable instrument reports every series it has at each observation: a series it no longer reports
            // (the pool of a dhcp-range removed by a reload) must vanish, not keep its last value forever.
            foreach (var observed in _instruments.Values)
            {
                observed.ForgetObservations();
            }
            _listener.RecordObservableInstruments();
            foreach (var series in _instruments.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                series.WriteTo(text);
            }
        }
        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>Prometheus name for a dotted instrument name and UCUM unit: <c>netboot.tftp.sent</c> + <c>By</c> as a counter →
    /// <c>netboot_tftp_sent_bytes_total</c>.</summary>
    internal static string MetricName(Instrument instrument)
    {
        var name = new StringBuilder();
        foreach (var c in instrument.Name)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }
        var unit = instrument.Unit switch
        {
            "s" => "_seconds",
            "ms" => "_milliseconds",
            "By" => "_bytes",
            _ => "",
        };
        name.Append(unit);
        if (IsCounter(instrument))
        {
            name.Append("_total");
        }
        return name.ToString();
    }

    private static bool IsCounter(Instrument instrument) =>
        instrument is Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<double>;

    private static bool IsHistogram(Instrument instrument) => instrument is Histogram<double> or Histogram<long> or Histogram<int>;

    private static bool IsObservableGauge(Instrument instrument) =>
        instrument is ObservableGauge<long> or ObservableGauge<int> or ObservableGauge<double>;

    /// <summary>Label values escaped as the format asks: backslash, double quote and line feed.</summary>
    internal static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    internal static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>Series kept per metric at most. NetBoot's tag values come from small fixed sets (see
    /// <see cref="NetBootMetrics"/>), so this is never reached by design; it keeps the promise if a future tag carries
    /// client data. Beyond it, measurements go to one series labelled <c>otel_metric_overflow="true"</c>, as
    /// OpenTelemetry SDKs do.</summary>
    public const int MaxSeriesPerMetric = 1000;

    /// <summary>Up to three tag values identify a series without allocating on the hot path (tag values are constants).</summary>
    private readonly record struct SeriesKey(object? First, object? Second, object? Third, int Count);

    private static readonly SeriesKey s_overflowKey = new(typeof(PrometheusExporter), null, null, -1);

    private sealed class InstrumentSeries(Instrument instrument)
    {
        private readonly ConcurrentDictionary<SeriesKey, Cell> _cells = new();
        private readonly bool _isHistogram = IsHistogram(instrument);
        private readonly bool _isGauge = instrument.IsObservable;
        private readonly double[] _buckets = Buckets(instrument);
        private int _series;

        public string Name { get; } = MetricName(instrument);

        /// <summary>Drops the series of an observable instrument before it is observed again (measurements of observable
        /// instruments arrive only inside <see cref="Collect"/>, under its lock).</summary>
        public void ForgetObservations()
        {
            if (instrument.IsObservable)
            {
                _cells.Clear();
                Interlocked.Exchange(ref _series, 0);
            }
        }

        /// <summary>Counters and gauges are updated lock-free (a DHCP receive thread counts every request); histograms,
        /// recorded off the receive paths, lock their cell so a scrape sees buckets and count agree.</summary>
        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var key = new SeriesKey(
                tags.Length > 0 ? tags[0].Value : null, tags.Length > 1 ? tags[1].Value : null, tags.Length > 2 ? tags[2].Value : null, tags.Length);
            if (!_cells.TryGetValue(key, out var cell))
            {
                cell = NewCell(key, tags);
            }
            if (cell.Buckets is { } buckets)
            {
                lock (cell)
                {
                    var index = Array.BinarySearch(_buckets, value);
                    index = index >= 0 ? index : ~index;
                    if (index < buckets.Length)
                    {
                        buckets[index]++;
                    }
                    cell.Count++;
                    cell.Value += value;
                }
            }
            else if (_isGauge)
            {
                Volatile.Write(ref cell.Value, value);
            }
            else
            {
                cell.Add(value);
            }
        }

        private Cell NewCell(SeriesKey key, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (Interlocked.Increment(ref _series) > MaxSeriesPerMetric)
            {
                Interlocked.Decrement(ref _series);
                return _cells.GetOrAdd(s_overflowKey, _ => new Cell("otel_metric_overflow=\"true\"", _isHistogram ? new long[_buckets.Length] : null));
            }
            var added = new Cell(Labels(tags), _isHistogram ? new long[_buckets.Length] : null);
            var cell = _cells.GetOrAdd(key, added);
            if (!ReferenceEquals(cell, added))
            {
                // Another thread added the same series first.
                Interlocked.Decrement(ref _series);
            }
            return cell;
        }

        public void WriteTo(StringBuilder text)
        {
            var type = _isHistogram ? "histogram" : IsCounter(instrument) ? "counter" : "gauge";
            text.Append("# HELP ").Append(Name).Append(' ').Append((instrument.Description ?? "").Replace("\n", " ", StringComparison.Ordinal)).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(' ').Append(type).Append('\n');
            foreach (var cell in _cells.Values.OrderBy(c => c.Labels, StringComparer.Ordinal))
            {
                if (cell.Buckets is { } buckets)
                {
                    lock (cell)
                    {
                        WriteHistogram(text, cell, buckets);
                    }
                }
                else
                {
                    text.Append(Name).Append(Braced(cell.Labels)).Append(' ').Append(Number(Volatile.Read(ref cell.Value))).Append('\n');
                }
            }
        }

        private void WriteHistogram(StringBuilder text, Cell cell, long[] buckets)
        {
            long cumulative = 0;
            var separator = cell.Labels.Length > 0 ? "," : "";
            for (var i = 0; i < _buckets.Length; i++)
            {
                cumulative += buckets[i];
                text.Append(Name).Append("_bucket{").Append(cell.Labels).Append(separator).Append("le=\"").Append(Number(_buckets[i])).Append("\"} ")
                    .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
            text.Append(Name).Append("_bucket{").Append(cell.Labels).Append(separator).Append("le=\"+Inf\"} ")
                .Append(cell.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            text.Append(Name).Append("_sum").Append(Braced(cell.Labels)).Append(' ').Append(Number(cell.Value)).Append('\n');
            text.Append(Name).Append("_count").Append(Braced(cell.Labels)).Append(' ').Append(cell.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        private static string Braced(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = new List<string>(tags.Length);
            foreach (var tag in tags)
            {
                var value = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
                labels.Add($"{tag.Key.Replace('.', '_')}=\"{EscapeLabel(value)}\"");
            }
            return string.Join(',', labels);
        }

        private static double[] Buckets(Instrument instrument) =>
            instrument is Histogram<double> { Advice.HistogramBucketBoundaries: { Count: > 0 } advised } ? [.. advised] : DefaultBuckets;
    }

    private sealed class Cell(string labels, long[]? buckets)
    {
        public string Labels { get; } = labels;
        public long[]? Buckets { get; } = buckets;
        public double Value;
        public long Count;

        /// <summary>Adds without a lock: retried until no other thread added in between.</summary>
        public void Add(double value)
        {
            var seen = Volatile.Read(ref Value);
            while (true)
            {
                var found = Interlocked.CompareExchange(ref Value, seen + value, seen);
                if (found.Equals(seen))
                {
                    return;
                }
                seen = found;
            }
        }
    }
}
