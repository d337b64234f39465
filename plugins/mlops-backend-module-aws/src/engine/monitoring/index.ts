export {
  AwsMonitoring,
  createAwsMonitoring,
  type AwsMonitoringOptions,
  type MonitoringClients,
} from './AwsMonitoring';
