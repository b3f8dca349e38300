"""The local single-node Apache Kafka broker (KRaft) that the demo, the tests and CI run."""
