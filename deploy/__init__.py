"""Everything that runs the system: the local Kafka broker launcher, Prometheus, Grafana, images."""
