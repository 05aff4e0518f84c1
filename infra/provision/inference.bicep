// Inference on Azure Container Apps, as the AI Toolkit's "Provision Azure Container Apps for
// inference" deploys it: a storage account and file share (mounted at /mount), a Log Analytics
// workspace, a Container Apps environment with a GPU (NC24-A100) workload profile, and one app.
// infra/provision/inference.json is this file compiled with `bicep build`; keep them in step.

param defaultCommands array
param maximumInstanceCount int
param location string = resourceGroup().location

param resourceSuffix string = substring(uniqueString(resourceGroup().id), 0, 5)
param storageAccountName string = 'aistorage${resourceSuffix}'
param fileShareName string = 'aifileshare${resourceSuffix}'
param acaEnvironmentName string = 'aienv${resourceSuffix}'
param acaEnvironmentStorageName string = 'aienvstorage${resourceSuffix}'
param acaAppName string = 'aiacaapp${resourceSuffix}'
param acaLogAnalyticsName string = 'ailog${resourceSuffix}'

// Steps run one after another; a failing step does not stop the later ones.
var defaultCommand = join(defaultCommands, '; ')

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  name: storageAccountName
  location: location
  sku: {
    name: 'Standard_LRS'
  }
  kind: 'StorageV2'
  properties: {
    largeFileSharesState: 'Enabled'
  }
}

resource fileService 'Microsoft.Storage/storageAccounts/fileServices@2023-01-01' = {
  parent: storageAccount
  name: 'default'
  properties: {
    shareDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource fileShare 'Microsoft.Storage/storageAccounts/fileServices/shares@2023-01-01' = {
  parent: fileService
  name: fileShareName
  properties: {
    shareQuota: 1024
  }
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: acaLogAnalyticsName
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
  }
}

resource environment 'Microsoft.App/managedEnvironments@2023-11-02-preview' = {
  name: acaEnvironmentName
  location: location
  properties: {
    zoneRedundant: false
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logAnalytics.properties.customerId
        sharedKey: logAnalytics.listKeys().primarySharedKey
      }
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
      {
        name: 'GPU'
        workloadProfileType: 'NC24-A100'
        minimumCount: 0
        maximumCount: maximumInstanceCount
      }
    ]
    peerAuthentication: {
      mtls: {
        enabled: false
      }
    }
  }
}

resource envStorage 'Microsoft.App/managedEnvironments/storages@2023-11-02-preview' = {
  parent: environment
  name: acaEnvironmentStorageName
  properties: {
    azureFile: {
      accountName: storageAccount.name
      accountKey: storageAccount.listKeys().keys[0].value
      shareName: fileShare.name
      accessMode: 'ReadWrite'
    }
  }
}

resource containerApp 'Microsoft.App/containerApps@2023-11-02-preview' = {
  name: acaAppName
  location: location
  identity: {
    type: 'None'
  }
  properties: {
    environmentId: environment.id
    workloadProfileName: 'GPU'
    configuration: {
      activeRevisionsMode: 'Single'
      maxInactiveRevisions: 100
      ingress: {
        external: true
        targetPort: 7860
        transport: 'Auto'
        allowInsecure: false
        traffic: [
          {
            latestRevision: true
            weight: 100
          }
        ]
      }
    }
    template: {
      revisionSuffix: ''
      containers: [
        {
          name: acaAppName
          image: 'docker.io/pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime'
          command: [
            '/bin/bash'
            '-c'
            defaultCommand
          ]
          resources: {
            cpu: 24
            memory: '220Gi'
          }
          probes: [
            {
              type: 'Liveness'
              httpGet: {
                path: '/'
                port: 7860
                scheme: 'HTTP'
              }
              initialDelaySeconds: 60
              periodSeconds: 10
              failureThreshold: 3
              timeoutSeconds: 1
            }
            {
              type: 'Readiness'
              httpGet: {
                path: '/'
                port: 7860
                scheme: 'HTTP'
              }
              initialDelaySeconds: 60
              periodSeconds: 10
              failureThreshold: 3
            }
            {
              type: 'Startup'
              httpGet: {
                path: '/'
                port: 7860
                scheme: 'HTTP'
              }
              initialDelaySeconds: 60
              periodSeconds: 120
              failureThreshold: 10
            }
          ]
          volumeMounts: [
            {
              volumeName: '${fileShareName}volume'
              mountPath: '/mount'
            }
          ]
        }
      ]
      scale: {
        minReplicas: 1
        maxReplicas: 1
      }
      volumes: [
        {
          name: '${fileShareName}volume'
          storageType: 'AzureFile'
          storageName: envStorage.name
        }
      ]
    }
  }
}

output SUBSCRIPTION_ID string = subscription().subscriptionId
output RESOURCE_GROUP_NAME string = resourceGroup().name
output STORAGE_ACCOUNT_NAME string = storageAccount.name
output FILE_SHARE_NAME string = fileShare.name
output ACA_APP_NAME string = containerApp.name
output ACA_APP_ENDPOINT string = containerApp.properties.configuration.ingress.fqdn
